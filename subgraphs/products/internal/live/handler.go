package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// Invalidator retires cached entries of a product (the Redis cache).
type Invalidator interface {
	Invalidate(ctx context.Context, productID string) error
}

// Loader reads a product (the catalog service).
type Loader interface {
	Get(ctx context.Context, id string) (catalog.Product, error)
}

// StockSyncer repairs a stock document that lags a StockChanged event (the
// inventory service).
type StockSyncer interface {
	SyncStock(ctx context.Context, productID string, version int64, at time.Time) error
}

// Owners tells the product a stock id belongs to (catalog.StockUnits):
// a StockChanged event names the stock that moved, which for a
// non-default variant is the variant's id.
type Owners interface {
	OwnerOf(ctx context.Context, stockID string) (string, error)
}

// Processor reacts to product events on every replica: it repairs lagging
// stock documents, invalidates the cache and feeds the inventoryUpdated
// subscribers.
type Processor struct {
	Hub    *Hub
	Loader Loader
	// Cache may be nil (no Redis configured).
	Cache Invalidator
	// Stock may be nil (no repair).
	Stock StockSyncer
	// Owners may be nil: every stock id is then a product's id.
	Owners Owners
}

// Handle processes one product event. Repeating it is harmless: the
// invalidation and the delivered product are the same.
func (p *Processor) Handle(ctx context.Context, e events.Envelope) error {
	var id string
	var stock *events.StockChangedData
	switch e.Type {
	case events.StockChanged:
		var d events.StockChangedData
		if err := e.Decode(&d); err != nil {
			return err
		}
		id, stock = d.ProductID, &d
	case events.ProductCreated, events.ProductUpdated, events.ProductDeleted:
		var d events.ProductData
		if err := e.Decode(&d); err != nil {
			return err
		}
		id = d.ProductID
	default:
		return nil
	}
	var errs []error
	if stock != nil && p.Stock != nil {
		// Before the invalidation, so a repaired snapshot is what the
		// next read caches.
		if err := p.Stock.SyncStock(ctx, id, stock.Version, e.OccurredAt); err != nil {
			errs = append(errs, err)
		}
	}
	if p.Cache != nil {
		if err := p.Cache.Invalidate(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	owner := id
	if stock != nil && p.Owners != nil && p.Hub.Len() > 0 {
		o, err := p.Owners.OwnerOf(ctx, id)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		owner = o
	}
	if p.Hub.Wants(owner) {
		prod, err := p.Loader.Get(ctx, owner)
		if err != nil {
			errs = append(errs, fmt.Errorf("load product %s: %w", owner, err))
		} else {
			// The event can outrun the snapshot update of the stock
			// document; the event's balance is then the newer truth
			// (for the default variant's stock: a variant's units are
			// only part of the product's quantity).
			if stock != nil && owner == id && stock.Version > prod.StockVersion {
				prod.Quantity += stock.Quantity - prod.DefaultQuantity
				prod.DefaultQuantity, prod.StockVersion = stock.Quantity, stock.Version
			}
			p.Hub.Publish(prod)
		}
	}
	return errors.Join(errs...)
}

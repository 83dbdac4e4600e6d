// Package catalog is the catalog of products: their data (name,
// description, price), its edits and the change events they publish. The
// stock of a product is kept by package inventory, a domain of its own
// with its own store: catalog code never writes a stock document or a
// ledger entry, and inventory code never writes a product document. A
// product read through the catalog shows the quantity of its stock
// document, which its store reads beside the product by `_id`.
package catalog

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Stores translate driver errors into these; resolvers and
// HTTP handlers map them to codes.
var (
	// ErrNotFound means no such product.
	ErrNotFound = errors.New("not found")
	// ErrDeleted means the product exists but was deleted.
	ErrDeleted = errors.New("product deleted")
	// ErrDuplicate is a unique-index violation reported by a store.
	ErrDuplicate = errors.New("duplicate key")
	// ErrTooManyVariants means a product has as many variants as it may.
	ErrTooManyVariants = errors.New("too many variants")
)

// IsNotFound reports whether err means the product is unknown or deleted.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrDeleted)
}

// Product is a catalog product. Quantity and StockVersion come from the
// product's stock document (kept by the inventory): the snapshot of the
// newest ledger entry it has seen. The product document itself holds
// catalog data only.
type Product struct {
	ID          string
	Name        string
	Description string
	// Price is the default variant's price, in minor units.
	Price int
	// Quantity is the units available across every variant: the default
	// variant's stock document plus each other variant's.
	Quantity int
	// StockVersion is the default variant's stock version.
	StockVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeletedAt    *time.Time
	// SKU is the default variant's SKU; empty for a product stored
	// before variants, whose default SKU is derived (see DefaultSKU).
	SKU string
	// VariantName is the default variant's name; empty reads as "Default".
	VariantName string
	// DefaultQuantity is the default variant's available units.
	DefaultQuantity int
	Attributes      []Attribute
	Images          []Image
	CategoryIDs     []string
	// Variants are the product's other variants, oldest first, each with
	// its stock; the default variant is derived from the product itself.
	Variants []Variant
	// Listed is the denormalized copy of Quantity kept on the product
	// document, which the connection's inStock filter and STOCK sort
	// read (see Service.RefreshAvailable). It equals Quantity once the
	// product's stock snapshots are caught up; cursors of the STOCK sort
	// carry it, since it is the figure the list is ordered by.
	Listed int
}

// Deleted reports whether the product was deleted.
func (p Product) Deleted() bool { return p.DeletedAt != nil }

// StockOpener opens the stock of a new product (the inventory service
// does it): it writes the ledger's first entry, of quantity units, and the
// stock document that mirrors it, and returns the entry's version. Create
// calls it before it stores the product, so a crash in between leaves
// only stock no one reads.
type StockOpener interface {
	OpenStock(ctx context.Context, productID string, quantity int, at time.Time) (int64, error)
}

// ChangeType names a change of product data, published as an event.
type ChangeType string

// Product change types (the event types of the same name).
const (
	ChangeCreated ChangeType = "ProductCreated"
	ChangeUpdated ChangeType = "ProductUpdated"
	ChangeDeleted ChangeType = "ProductDeleted"
)

// Change records a change of product data; stores keep it with its event
// in an insert-only collection.
type Change struct {
	Type    ChangeType
	Product Product
	At      time.Time
}

// ListQuery selects a page of products on sale.
type ListQuery struct {
	Skip   int
	Take   int
	Search string
}

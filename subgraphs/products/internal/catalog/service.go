package catalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Service implements the catalog's use cases on top of a Storer.
type Service struct {
	store Storer
	locks *stripes
	// views shares fresh ledger head reads between callers.
	views *coalescer[struct{}, Movement]
	snaps *snapshots
	// lines remembers the newest positions of hold lines.
	lines holdLines
	// unrecorded holds the reserve and release entries this process
	// appended and has not recorded yet (see recordOp), by OpID.
	unrecorded sync.Map
	// resyncs holds the products with a delayed SyncStock check pending.
	resyncs sync.Map
	// syncGrace is how old an entry must be before SyncStock repairs its
	// snapshot at once.
	syncGrace time.Duration
	log       *slog.Logger
	now       func() time.Time
	// holdTTL is how long a stock hold lasts after its last change.
	holdTTL time.Duration
	// runTimeout bounds one Reserve or Release call, detached from
	// its caller; reconcileAfter is how old an undecided attempt must be
	// before the reconciler settles it (longer than runTimeout).
	runTimeout     time.Duration
	reconcileAfter time.Duration
}

// NewService returns a Service over store.
func NewService(store Storer, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, locks: newStripes(256), log: log, holdTTL: DefaultHoldTTL, syncGrace: DefaultSyncGrace,
		runTimeout: DefaultRunTimeout, reconcileAfter: DefaultReconcileAfter,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
	s.views = newCoalescer(func(ctx context.Context, productID string, _ []struct{}) (Movement, error) {
		head, _, err := s.readHead(ctx, productID)
		return head, err
	})
	s.snaps = newCoalescer(s.writeSnapshot)
	return s
}

// CreateInput is a new product.
type CreateInput struct {
	Name        string
	Description string
	Price       int
	Quantity    int
}

// UpdateInput changes product data; nil fields stay unchanged.
type UpdateInput struct {
	Name        *string
	Description *string
	Price       *int
}

// Create validates and stores a new product with its initial stock as the
// ledger's first entry. The ledger entry and the stock document are
// written first: a crash before the product document leaves only orphans
// no one reads.
func (s *Service) Create(ctx context.Context, in CreateInput) (Product, error) {
	name, err := validName(in.Name)
	if err != nil {
		return Product{}, err
	}
	desc, err := validDescription(in.Description)
	if err != nil {
		return Product{}, err
	}
	if err := input.Count("price", in.Price, 0); err != nil {
		return Product{}, err
	}
	if err := input.Count("quantity", in.Quantity, 0); err != nil {
		return Product{}, err
	}
	now := s.now()
	p := Product{
		ID: primitive.NewObjectIDFromTimestamp(now).Hex(), Name: name, Description: desc, Price: in.Price,
		Quantity: in.Quantity, StockVersion: 1, CreatedAt: now, UpdatedAt: now,
	}
	m := Movement{ProductID: p.ID, Version: 1, Kind: KindCreate, Delta: in.Quantity, Balance: in.Quantity, OpKey: randomKey(), CreatedAt: now}
	if err := s.markDirty(ctx, p.ID); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := s.store.AppendMovement(ctx, m); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if _, err := s.store.SetStock(ctx, Stock{ProductID: p.ID, Quantity: m.Balance, Version: m.Version, UpdatedAt: now}); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := s.store.ClearDirty(ctx, p.ID); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := s.store.InsertProduct(ctx, p); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := s.store.RecordChange(ctx, Change{Type: ChangeCreated, Product: p, At: now}); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	return p, nil
}

// Update changes a product's name, description or price.
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	var name, desc string
	if in.Name != nil {
		if name, err = validName(*in.Name); err != nil {
			return Product{}, err
		}
	}
	if in.Description != nil {
		if desc, err = validDescription(*in.Description); err != nil {
			return Product{}, err
		}
	}
	if in.Price != nil {
		if err := input.Count("price", *in.Price, 0); err != nil {
			return Product{}, err
		}
	}
	p, err := s.live(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("update product: %w", err)
	}
	if in.Name != nil {
		p.Name = name
	}
	if in.Description != nil {
		p.Description = desc
	}
	if in.Price != nil {
		p.Price = *in.Price
	}
	p.UpdatedAt = s.now()
	if err := s.store.UpdateProductData(ctx, p); err != nil {
		return Product{}, fmt.Errorf("update product: %w", err)
	}
	if err := s.store.RecordChange(ctx, Change{Type: ChangeUpdated, Product: p, At: p.UpdatedAt}); err != nil {
		return Product{}, fmt.Errorf("update product: %w", err)
	}
	return s.Get(ctx, id)
}

// Delete soft-deletes a product: it leaves lists and cannot be reserved,
// but still resolves by id for order history.
func (s *Service) Delete(ctx context.Context, id string) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	p, err := s.live(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("delete product: %w", err)
	}
	now := s.now()
	if err := s.store.MarkDeleted(ctx, id, now); err != nil {
		return Product{}, fmt.Errorf("delete product: %w", err)
	}
	p.DeletedAt, p.UpdatedAt = &now, now
	if err := s.store.RecordChange(ctx, Change{Type: ChangeDeleted, Product: p, At: now}); err != nil {
		return Product{}, fmt.Errorf("delete product: %w", err)
	}
	return p, nil
}

// Restock adds quantity units to a product's stock. A non-empty key makes
// it idempotent: the first restock with a key claims it (an insert keyed
// by the key, naming the product and quantity), and a retry with the same
// key adds nothing more, its ledger entry being unique by the key and the
// product; the same key with another product or quantity is refused with
// an input.Error. Without a key every call adds units.
func (s *Service) Restock(ctx context.Context, id string, quantity int, key string) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	if err := input.Count("quantity", quantity, 1); err != nil {
		return Product{}, err
	}
	opKey := randomKey()
	if key != "" {
		if err := validIdempotencyKey(key); err != nil {
			return Product{}, err
		}
		opKey = "key:" + key
	}
	if _, err := s.live(ctx, id); err != nil {
		return Product{}, fmt.Errorf("restock product: %w", err)
	}
	if key != "" {
		if err := s.claimRestockKey(ctx, key, id, quantity); err != nil {
			return Product{}, err
		}
	}
	_, done, err := s.move(ctx, moveSpec{productID: id, kind: KindRestock, opKey: opKey, delta: quantity})
	if err != nil {
		return Product{}, fmt.Errorf("restock product: %w", err)
	}
	if done {
		// A retry: the first call's snapshot may still be on its way,
		// and the retry must not show the stock without its units.
		s.syncSnapshot(ctx, id, Movement{})
	}
	return s.Get(ctx, id)
}

// claimRestockKey records that key restocks quantity units of productID,
// unless the key is claimed already: then it must name the same product
// and quantity. The record lives beside the operation records under a key
// no operation's takes ("restock-key:", where theirs start with a kind and
// a colon).
func (s *Service) claimRestockKey(ctx context.Context, key, productID string, quantity int) error {
	rk := "restock-key:" + key
	claim := Movement{ProductID: productID, Kind: KindRestock, Delta: quantity, OpKey: "key:" + key, CreatedAt: s.now()}
	err := s.store.InsertOp(ctx, rk, claim)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrDuplicate) {
		return fmt.Errorf("restock product: %w", err)
	}
	prev, ok, err := s.store.Op(ctx, rk)
	if err != nil {
		return fmt.Errorf("restock product: %w", err)
	}
	if !ok || prev.ProductID != productID || prev.Delta != quantity {
		return input.Invalid("idempotencyKey", "already used to restock %d units of product %s", prev.Delta, prev.ProductID)
	}
	return nil
}

// Get returns a product, deleted or not.
func (s *Service) Get(ctx context.Context, id string) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("get product: %w", err)
	}
	return p, nil
}

// ByIDs returns the products among ids (deleted ones included), keyed by
// id; unknown ids are missing from the map.
func (s *Service) ByIDs(ctx context.Context, ids []string) (map[string]Product, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if v, err := input.ID("id", id); err == nil {
			valid = append(valid, v)
		}
	}
	out := map[string]Product{}
	if len(valid) == 0 {
		return out, nil
	}
	ps, err := s.store.ProductsByIDs(ctx, valid)
	if err != nil {
		return nil, fmt.Errorf("products by ids: %w", err)
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// List returns a page of products on sale.
func (s *Service) List(ctx context.Context, q ListQuery) ([]Product, error) {
	ps, err := s.store.ListProducts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return ps, nil
}

// Movements returns a page of a product's ledger, newest first. It reads
// the head, then the page's entries by `_id`, a few at a time.
func (s *Service) Movements(ctx context.Context, productID string, skip, take int) ([]Movement, error) {
	id, err := input.ID("productId", productID)
	if err != nil {
		return nil, err
	}
	head, _, err := s.readHead(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list movements: %w", err)
	}
	top := head.Version - int64(skip)
	n := int(max(0, min(int64(take), top)))
	page := make([]Movement, n)
	found := make([]bool, n)
	err = fanout.Each(ctx, n, fanout.PointReads, func(ctx context.Context, i int) error {
		m, ok, err := s.store.Movement(ctx, id, top-int64(i))
		page[i], found[i] = m, ok
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list movements: %w", err)
	}
	out := page[:0]
	for i, m := range page {
		if found[i] {
			out = append(out, m)
		}
	}
	return out, nil
}

// live returns a product that exists and is not deleted.
func (s *Service) live(ctx context.Context, id string) (Product, error) {
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return Product{}, err
	}
	if p.Deleted() {
		return Product{}, ErrDeleted
	}
	return p, nil
}

// IsNotFound reports whether err means the product is unknown or deleted.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrDeleted)
}

func randomKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return hex.EncodeToString(b[:])
}

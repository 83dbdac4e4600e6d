package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Service implements the inventory's use cases on top of a Storer, reading
// catalog data through a ProductReader.
type Service struct {
	store    Storer
	products ProductReader
	locks    *stripes
	// views shares fresh ledger head reads between callers.
	views *coalescer[struct{}, Movement]
	snaps *snapshots
	// snapshotHook runs when a snapshot job finds a stock caught up (see
	// SetSnapshotHook); nil runs nothing.
	snapshotHook func(ctx context.Context, stockID string) error
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
	// holdTTL is how long a stock hold lasts after its last change,
	// holdLifetime how long after its first set it may still be extended.
	holdTTL      time.Duration
	holdLifetime time.Duration
	// runTimeout bounds one Reserve or Release call, detached from
	// its caller; reconcileAfter is how old an undecided attempt must be
	// before the reconciler settles it (longer than runTimeout).
	runTimeout     time.Duration
	reconcileAfter time.Duration
}

// NewService returns a Service over store that reads catalog data from
// products.
func NewService(store Storer, products ProductReader, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, products: products, locks: newStripes(256), log: log, holdTTL: DefaultHoldTTL, holdLifetime: DefaultHoldLifetime, syncGrace: DefaultSyncGrace,
		runTimeout: DefaultRunTimeout, reconcileAfter: DefaultReconcileAfter,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
	s.views = newCoalescer(func(ctx context.Context, productID string, _ []struct{}) (Movement, error) {
		head, _, err := s.readHead(ctx, productID)
		return head, err
	})
	s.snaps = newCoalescer(s.writeSnapshot)
	return s
}

// OpenStock implements catalog.StockOpener: it appends a new product's
// first ledger entry (a create entry of quantity units, written at at)
// and writes the stock document that mirrors it, listing the product as
// dirty until then (see Storer.MarkDirty). It returns the entry's version.
func (s *Service) OpenStock(ctx context.Context, productID string, quantity int, at time.Time) (int64, error) {
	id, err := input.ID("id", productID)
	if err != nil {
		return 0, err
	}
	if err := input.Count("quantity", quantity, 0); err != nil {
		return 0, err
	}
	m := Movement{ProductID: id, Version: 1, Kind: KindCreate, Delta: quantity, Balance: quantity, OpKey: randomKey(), CreatedAt: at}
	if err := s.markDirty(ctx, id); err != nil {
		return 0, fmt.Errorf("open stock: %w", err)
	}
	if err := s.store.AppendMovement(ctx, m); err != nil {
		return 0, fmt.Errorf("open stock: %w", err)
	}
	if _, err := s.store.SetStock(ctx, Stock{ProductID: id, Quantity: m.Balance, Version: m.Version, UpdatedAt: at}); err != nil {
		return 0, fmt.Errorf("open stock: %w", err)
	}
	if err := s.store.ClearDirty(ctx, id); err != nil {
		return 0, fmt.Errorf("open stock: %w", err)
	}
	return m.Version, nil
}

var _ catalog.StockOpener = (*Service)(nil)

// Restock adds quantity units to a product's stock and returns the product
// with its new stock. A non-empty key makes it idempotent: the first
// restock with a key claims it (an insert keyed by the key, naming the
// product and quantity), and a retry with the same key adds nothing more,
// its ledger entry being unique by the key and the product; the same key
// with another product or quantity is refused with an input.Error.
// Without a key every call adds units.
func (s *Service) Restock(ctx context.Context, id string, quantity int, key string) (catalog.Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return catalog.Product{}, err
	}
	if err := input.Count("quantity", quantity, 1); err != nil {
		return catalog.Product{}, err
	}
	opKey := randomKey()
	if key != "" {
		if err := validIdempotencyKey(key); err != nil {
			return catalog.Product{}, err
		}
		opKey = "key:" + key
	}
	if _, err := s.live(ctx, id); err != nil {
		return catalog.Product{}, fmt.Errorf("restock product: %w", err)
	}
	if key != "" {
		if err := s.claimRestockKey(ctx, key, id, quantity); err != nil {
			return catalog.Product{}, err
		}
	}
	_, done, err := s.move(ctx, moveSpec{productID: id, kind: KindRestock, opKey: opKey, delta: quantity})
	if err != nil {
		return catalog.Product{}, fmt.Errorf("restock product: %w", err)
	}
	if done {
		// A retry: the first call's snapshot may still be on its way,
		// and the retry must not show the stock without its units.
		s.syncSnapshot(ctx, id, Movement{})
	}
	p, err := s.products.Product(ctx, id)
	if err != nil {
		return catalog.Product{}, fmt.Errorf("get product: %w", err)
	}
	return p, nil
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

// live returns a product that exists and is not deleted, with its stock.
func (s *Service) live(ctx context.Context, id string) (catalog.Product, error) {
	p, err := s.products.Product(ctx, id)
	if err != nil {
		return catalog.Product{}, err
	}
	if p.Deleted() {
		return catalog.Product{}, catalog.ErrDeleted
	}
	return p, nil
}

func randomKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return hex.EncodeToString(b[:])
}

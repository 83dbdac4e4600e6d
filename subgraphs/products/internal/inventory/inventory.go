// Package inventory keeps the stock of the catalog's products: the
// inventory ledger, order reservations, cart holds and the stock snapshots
// the catalog serves. It is a domain of its own beside package catalog
// (product data and its edits): each has its own store and neither writes
// the other's documents. The inventory reads the catalog data it needs (a
// product's price, whether it was deleted) through ProductReader.
//
// Every stock movement is an append to the ledger guarded by unique keys,
// because that is the one write both MongoDB and FerretDB (whose updates
// are read-then-write) perform atomically; a product's quantity is a
// snapshot of its ledger's newest balance, kept in a stock document apart
// from the product's data.
//
// Every database call on the order paths (reserve, release, checkout,
// cancel, restock, holds) is an insert or a point operation by `_id`: the
// embedded store pushes no other filter down to an index, so any other
// read would cost more as the ledger grows. Entries are keyed by product
// and version (see LedgerKey); what a later call must find without knowing
// a version (an order's reserve entry, a hold line's newest position, the
// products an order or a hold touched) is recorded under a key it can
// compute.
package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// Sentinel errors. Stores translate driver errors into these; resolvers and
// HTTP handlers map them to codes. An unknown or deleted product is the
// catalog's catalog.ErrNotFound or catalog.ErrDeleted.
var (
	// ErrNotFound means no such reservation (or stock document).
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is a unique-index violation reported by a store.
	ErrDuplicate = errors.New("duplicate key")
	// ErrContention means a ledger append kept losing to other writers.
	ErrContention = errors.New("too much contention on the ledger")
)

// InsufficientStockError says a product cannot cover a requested quantity.
type InsufficientStockError struct {
	ProductID string
	Requested int
	Available int
}

func (e *InsufficientStockError) Error() string {
	return fmt.Sprintf("insufficient stock for product %s: requested %d, available %d", e.ProductID, e.Requested, e.Available)
}

// ProductReader is what the inventory reads of the catalog (the catalog's
// store satisfies it). Both return catalog.ErrNotFound for an unknown
// product.
type ProductReader interface {
	// ProductData returns one product's catalog data, deleted or not,
	// without its stock: reservations and holds read prices and
	// deletions with it.
	ProductData(ctx context.Context, id string) (catalog.Product, error)
	// Product returns one product, deleted or not, with the quantity of
	// its stock document: what a restock answers.
	Product(ctx context.Context, id string) (catalog.Product, error)
}

// Stock is a product's stock document: the balance of the ledger entry
// Version, kept apart from the product document so that stock movements
// and catalog edits never write the same document.
type Stock struct {
	ProductID string
	Quantity  int
	Version   int64
	// UpdatedAt is when the entry Version was written.
	UpdatedAt time.Time
}

// DirtyStock names a product whose stock document may lag its ledger,
// and since when it is listed.
type DirtyStock struct {
	ProductID string
	Since     time.Time
}

// Kind says why stock moved.
type Kind string

// Movement kinds.
const (
	KindCreate  Kind = "create"
	KindRestock Kind = "restock"
	KindReserve Kind = "reserve"
	KindRelease Kind = "release"
	// KindHold keeps units for a shopper's cart (a stock hold).
	KindHold Kind = "hold"
	// KindHoldRelease gives held units back: the cart shrank, the hold
	// expired or was released.
	KindHoldRelease Kind = "hold_release"
)

// Movement is one entry of a product's inventory ledger, stored under
// LedgerKey(ProductID, Version): two writers appending the same next
// version cannot both win. OpID is unique too: OpKey is the order id of
// reserve and release entries, so an order reserves or releases a product
// at most once; other kinds get a fresh random OpKey.
type Movement struct {
	ProductID string
	Version   int64
	Kind      Kind
	Delta     int
	Balance   int
	OrderID   string
	OpKey     string
	// UnitPrice is the product's price when a reserve entry was written.
	UnitPrice int
	// HoldID names the hold of hold and hold_release entries, and the hold
	// a reserve entry converted (a checkout).
	HoldID string
	// Converted is the number of held units a reserve entry took over from
	// its hold: the entry's Delta covers only the units it took from free
	// stock, so the order's quantity is Converted - Delta.
	Converted int
	// HoldLine places an entry that changed what a hold keeps of the
	// product in that hold line's sequence (see holdLineKey); it is unique
	// across the ledger. Empty for other entries.
	HoldLine string
	// Held is the number of units the hold keeps of the product after an
	// entry with a HoldLine.
	Held      int
	CreatedAt time.Time
}

// OpID names the operation of an entry; the ledger keeps it unique, which
// makes reserves and releases idempotent by order.
func (m Movement) OpID() string { return string(m.Kind) + ":" + m.OpKey + ":" + m.ProductID }

// Reserved is the number of units a reserve entry reserved for its order.
func (m Movement) Reserved() int { return m.Converted - m.Delta }

// Reservation statuses as decided; Released is tracked separately because
// a reservation is decided once and may be released later.
const (
	StatusReserved = "RESERVED"
	StatusRejected = "REJECTED"
	StatusReleased = "RELEASED"
)

// Line is one requested product line of an order.
type Line struct {
	ProductID string
	Quantity  int
}

// ReservedLine is a reserved line with its unit price at reservation time
// and the ledger version of its reserve entry.
type ReservedLine struct {
	ProductID string
	Quantity  int
	UnitPrice int
	Version   int64
}

// Problem explains why a reservation was rejected.
type Problem struct {
	// Code is "INSUFFICIENT_STOCK" or "NOT_FOUND".
	Code      string
	Message   string
	ProductID string
	Requested int
	Available int
}

// Problem codes.
const (
	ProblemInsufficientStock = "INSUFFICIENT_STOCK"
	ProblemNotFound          = "NOT_FOUND"
)

// Reservation is the decision for one order, stored once under the order
// id (unique): the first decision stands and every retry returns it.
type Reservation struct {
	OrderID string
	Status  string
	// Lines are the reserved lines of a RESERVED decision.
	Lines   []ReservedLine
	Problem *Problem
	// Reserved are the lines a REJECTED decision's runner had reserved
	// before a line failed: they go back to stock (see settle).
	Reserved []ReservedLine
	// DecidedBy is the attempt (see Attempt) whose runner made the
	// decision, 0 for a decision made by Release.
	DecidedBy  int
	CreatedAt  time.Time
	Released   bool
	ReleasedAt *time.Time
}

// Attempt records, before a runner reserves anything, that it is about
// to reserve an order's products: attempts are numbered 1, 2, ... per
// order (each an insert under its own key, so probing finds them all), so
// that a release can find every product any runner may have reserved
// without a query on the ledger.
type Attempt struct {
	OrderID   string
	N         int
	Products  []string
	CreatedAt time.Time
}

// EffectiveStatus is the status callers see: RELEASED once released.
func (r Reservation) EffectiveStatus() string {
	if r.Released {
		return StatusReleased
	}
	return r.Status
}

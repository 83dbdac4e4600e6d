package inventory

import (
	"context"
	"time"
)

// Storer is the persistence the inventory needs: stock documents, the
// ledger and its operation records, reservations with their attempts and
// work lists, and holds with their leases. Implementations translate
// driver errors into ErrNotFound and ErrDuplicate. Every write that decides
// something (ledger entries, reservation decisions, attempts, records) is
// an insert guarded by a unique key; updates only refresh snapshots and
// hints or set monotonic flags. Apart from the sweeper's ExpiredLeases
// and the whole reads of the small work lists (DirtyStock,
// PendingAttempts), and MovementByOp and MovementByHoldLine (kept for
// recovery after a crash), every method is one point operation by `_id`
// or one insert.
type Storer interface {
	// SetStock writes a product's stock document (creating it when
	// missing), whatever version it shows: on a store whose updates are
	// read-then-write a condition on the stored version would not hold
	// anyway, so the snapshot jobs check after writing instead. It
	// reports whether the document changed. Only inventory code writes
	// stock documents, and product edits never touch them.
	SetStock(ctx context.Context, st Stock) (bool, error)
	// Stock returns a product's stock document, read from the database
	// itself (never from a cache), or ErrNotFound.
	Stock(ctx context.Context, productID string) (Stock, error)
	// MarkDirty lists a product whose stock document may lag its ledger
	// (an insert keyed by the product id; a product listed already is not
	// an error). Every append marks its product first, so a snapshot that
	// fails or never runs is found by the repair sweep.
	MarkDirty(ctx context.Context, productID string, at time.Time) error
	// ClearDirty removes a product from the list, by `_id`.
	ClearDirty(ctx context.Context, productID string) error
	// DirtyStock returns every listed product: a whole read of a
	// collection that keeps only the products whose snapshot has not been
	// checked since their last append.
	DirtyStock(ctx context.Context) ([]DirtyStock, error)

	// AppendMovement inserts a ledger entry under LedgerKey with its
	// StockChanged event, or returns ErrDuplicate when its version, its
	// OpID or its HoldLine is taken.
	AppendMovement(ctx context.Context, m Movement) error
	// Movement reads one ledger entry by `_id` (false when none).
	Movement(ctx context.Context, productID string, version int64) (Movement, bool, error)
	// MovementByOp returns the entry of an operation (false when none)
	// through the unique OpID index. The embedded store answers it by a
	// scan: call it only when a record that should exist is missing (a
	// crash between an entry and its record).
	MovementByOp(ctx context.Context, opID string) (Movement, bool, error)
	// MovementByHoldLine is MovementByOp for a hold line position, with
	// the same caveat.
	MovementByHoldLine(ctx context.Context, key string) (Movement, bool, error)

	// InsertOp records a copy of a ledger entry under key (insert-only),
	// or returns ErrDuplicate.
	InsertOp(ctx context.Context, key string, m Movement) error
	// Op reads a record by key (false when none).
	Op(ctx context.Context, key string) (Movement, bool, error)

	// InsertAttempt stores an attempt under its order and number, or
	// returns ErrDuplicate when that number is taken.
	InsertAttempt(ctx context.Context, a Attempt) error
	// Attempt reads an order's attempt number n (false when none).
	Attempt(ctx context.Context, orderID string, n int) (Attempt, bool, error)
	// InsertPending lists an attempt as started and not yet settled,
	// under the same key as the attempt. A runner lists its attempt
	// before its first ledger entry and takes it off once its lines are
	// dealt with; the reconciler settles the attempts left on the list.
	InsertPending(ctx context.Context, a Attempt) error
	// DeletePending takes an attempt off the list, by `_id`.
	DeletePending(ctx context.Context, orderID string, n int) error
	// PendingAttempts returns every listed attempt (without its
	// products): a whole read of a collection that keeps only the
	// attempts not yet settled.
	PendingAttempts(ctx context.Context) ([]Attempt, error)
	// InsertMark stores a marker under key (insert-only); a marker that
	// exists already is not an error.
	InsertMark(ctx context.Context, key string) error
	// HasMark reports whether a marker exists.
	HasMark(ctx context.Context, key string) (bool, error)

	// InsertReservation stores a decision or returns ErrDuplicate.
	InsertReservation(ctx context.Context, r Reservation) error
	// Reservation returns the decision for an order or ErrNotFound.
	Reservation(ctx context.Context, orderID string) (Reservation, error)
	// MarkReleased sets the released flag (monotonic, so safe on stores
	// whose updates are read-then-write).
	MarkReleased(ctx context.Context, orderID string, at time.Time) error

	// InsertLease stores a lease: a promise to release a hold's units once
	// ExpiresAt passes unless the hold was extended.
	InsertLease(ctx context.Context, l Lease) error
	// ExtendHold raises a hold's newest expiry to t.ExpiresAt (never
	// lowers it) and lowers its start to t.StartedAt (never raises it),
	// by `_id`. On a store whose updates are read-then-write, concurrent
	// extensions may keep either one's values: they differ by the time
	// between the calls, hints that only decide when the sweeper
	// releases, never whether a unit is covered by a lease.
	ExtendHold(ctx context.Context, holdID string, t HoldTimes) error
	// HoldTimes returns when a hold was first set and its newest expiry
	// (false when never set; a zero StartedAt for a hold set before
	// starts were recorded).
	HoldTimes(ctx context.Context, holdID string) (HoldTimes, bool, error)
	// InsertHoldProduct lists a product of a hold at position n (1, 2,
	// ...), or returns ErrDuplicate when n is taken.
	InsertHoldProduct(ctx context.Context, holdID string, n int, productID string) error
	// HoldProduct reads position n of a hold's product list (false when none).
	HoldProduct(ctx context.Context, holdID string, n int) (string, bool, error)
	// ExpiredLeases returns up to limit leases that expired before now,
	// oldest first: a query, over a collection that keeps only the leases
	// not yet dealt with.
	ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]Lease, error)
	// DeleteLease removes a lease the sweeper has dealt with.
	DeleteLease(ctx context.Context, id string) error
}

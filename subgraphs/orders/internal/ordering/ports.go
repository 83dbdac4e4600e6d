package ordering

import (
	"context"
	"time"
)

// Storer persists orders, their transitions and the work list that
// recovery reads. Implementations must make AppendTransition fail with
// ErrStepTaken when (OrderID, Step) exists, atomically (a unique key), and
// must merge transitions into every order they return.
//
// Every document has one writer kind: order documents are inserted once and
// then only their snapshot is rewritten; transitions are inserted once (the
// outbox relay alone marks their event sent); facts learned later, such as
// a release products acknowledged, are inserted as documents of their own.
type Storer interface {
	// Create records the order's work item (step StepResolve) and its
	// entry in the user's history, then inserts the order; ErrExists when
	// its id is taken. Callers that retry an id check with Get first.
	Create(ctx context.Context, o Order) error
	Get(ctx context.Context, id string) (Order, error)
	GetMany(ctx context.Context, ids []string) ([]Order, error)
	// History returns a user's orders newest first, at most limit, by
	// point reads (its cost follows limit, not the number of orders).
	History(ctx context.Context, userID string, limit int) ([]Order, error)
	// ListAll returns every user's orders newest first, at most limit; it
	// may scan, so only admins reach it.
	ListAll(ctx context.Context, limit int) ([]Order, error)
	// Page returns up to q.Limit orders matching q.Filter (by the order
	// documents' snapshots) in q's order after q.After, each with its
	// cursor, and whether more follow. It is one range query on an index
	// (see mongostore's EnsureIndexes), never more than q.Limit+1
	// documents read.
	Page(ctx context.Context, q PageQuery) (items []PageItem, more bool, err error)
	// HistoryPage is Page for one user's orders sorted by CREATED, read
	// by point reads from the user's history (whose entries follow the
	// order of placement); cursors carry the entry number (Cursor.Seq).
	// total is the number of history entries.
	HistoryPage(ctx context.Context, userID string, q PageQuery) (items []PageItem, more bool, total int, err error)
	// Count returns how many orders match f (by the snapshots).
	Count(ctx context.Context, f Filter) (int, error)
	// AppendTransition inserts t. For steps after StepResolve it first
	// records the step's work item, so a crash right after the insert
	// leaves the owed snapshot and release on the work list.
	AppendTransition(ctx context.Context, t Transition) error
	// Transition returns one step (Released filled in), or ErrNotFound.
	Transition(ctx context.Context, orderID string, step int) (Transition, error)
	// ApplySnapshot copies t (or a newer step) into the order document.
	ApplySnapshot(ctx context.Context, t Transition) error
	// SnapshotStep returns the step the order document's snapshot shows;
	// found is false when there is no order document.
	SnapshotStep(ctx context.Context, orderID string) (step int, found bool, err error)
	// MarkReleased records that products acknowledged the release owed by
	// a step (idempotent).
	MarkReleased(ctx context.Context, orderID string, step int) error
	// ClaimKey inserts r unless a record for (r.UserID, r.Key) exists, and
	// returns the record that holds the key: r itself when the insert won.
	ClaimKey(ctx context.Context, r KeyRecord) (KeyRecord, error)

	// Work returns up to limit work items (every item when limit is 0),
	// oldest first except that a retried item goes behind the items
	// recorded before its retry.
	Work(ctx context.Context, limit int) ([]WorkItem, error)
	// FinishWork removes a settled work item (idempotent).
	FinishWork(ctx context.Context, w WorkItem) error
	// RetryWork records a failed attempt: the item is recorded again with
	// Attempts+1 behind the others, and the old record removed.
	RetryWork(ctx context.Context, w WorkItem) error
}

// WorkItem is one entry of the work list: a step of an order whose
// consequences (the transition itself for a new order, the snapshot, an
// owed release) may not all be recorded yet. It is recorded before the
// work starts and removed once the step is settled, so recovery only ever
// reads this short list, never the order history.
type WorkItem struct {
	OrderID string
	Step    int
	// At is when the work was recorded; recovery leaves it to its request
	// for the grace period.
	At time.Time
	// Attempts counts the recovery passes that failed to settle it.
	Attempts int
}

// Reservation is products' answer for one order.
type Reservation struct {
	OrderID string
	// Status is RESERVED, REJECTED or RELEASED (inventoryapi statuses).
	Status string
	Lines  []Line
	// Err explains a REJECTED reservation (a *StockError or *InputError).
	Err error
}

// Inventory is the products service as orders needs it. Reserve is
// idempotent by order id and all-or-nothing; it fails with *StockError,
// *InputError or an error wrapping ErrUnavailable. Release is idempotent and
// succeeds when nothing is held. Lookup reports found=false when products
// never heard of the order.
type Inventory interface {
	Reserve(ctx context.Context, orderID string, lines []Line) (Reservation, error)
	// ReserveHeld is Reserve for a checkout: products first converts the
	// units that hold holdID keeps for each line.
	ReserveHeld(ctx context.Context, orderID, holdID string, lines []Line) (Reservation, error)
	Release(ctx context.Context, orderID string) error
	Lookup(ctx context.Context, orderID string) (r Reservation, found bool, err error)
}

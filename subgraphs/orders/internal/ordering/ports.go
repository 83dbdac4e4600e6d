package ordering

import (
	"context"
	"time"
)

// Storer persists orders and their transitions. Implementations must make
// AppendTransition fail with ErrStepTaken when (OrderID, Step) exists,
// atomically (a unique key), and must merge transitions into every order
// they return.
type Storer interface {
	// Create inserts a new order; ErrExists when its id is taken.
	Create(ctx context.Context, o Order) error
	Get(ctx context.Context, id string) (Order, error)
	GetMany(ctx context.Context, ids []string) ([]Order, error)
	// ListByUsers returns the orders of the given users, newest first;
	// nil userIDs means every user.
	ListByUsers(ctx context.Context, userIDs []string, limit int) ([]Order, error)
	AppendTransition(ctx context.Context, t Transition) error
	Transition(ctx context.Context, orderID string, step int) (Transition, error)
	// ApplySnapshot copies t into the order document and marks t applied.
	ApplySnapshot(ctx context.Context, t Transition) error
	MarkReleased(ctx context.Context, orderID string, step int) error
	// Recovery queries, each bounded by limit and older than before.
	StalePending(ctx context.Context, before time.Time, limit int) ([]Order, error)
	Unapplied(ctx context.Context, before time.Time, limit int) ([]Transition, error)
	Unreleased(ctx context.Context, before time.Time, limit int) ([]Transition, error)
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

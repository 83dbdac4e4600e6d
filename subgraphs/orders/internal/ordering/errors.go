package ordering

import (
	"errors"
	"fmt"
)

// Sentinel errors; the GraphQL layer maps them to extensions.code.
var (
	// ErrNotFound means the order does not exist or the caller may not see it.
	ErrNotFound = errors.New("order not found")
	// ErrUnauthenticated means the operation needs a signed-in user.
	ErrUnauthenticated = errors.New("authentication required")
	// ErrExists means an order with the same id was created first.
	ErrExists = errors.New("order already exists")
	// ErrStepTaken means another writer already took this transition step.
	ErrStepTaken = errors.New("order transition already taken")
	// ErrUnavailable means the products service could not be reached or
	// refused to work; nothing stays reserved for the order.
	ErrUnavailable = errors.New("products service unavailable")
)

// InputError is invalid caller input (BAD_USER_INPUT).
type InputError struct {
	Msg       string
	ProductID string
}

func (e *InputError) Error() string { return e.Msg }

// StockError reports a line that cannot be reserved (INSUFFICIENT_STOCK).
type StockError struct {
	ProductID string
	Requested int
	// Available is nil when products did not say.
	Available *int
}

func (e *StockError) Error() string {
	if e.Available != nil {
		return fmt.Sprintf("insufficient stock for product %s: requested %d, available %d", e.ProductID, e.Requested, *e.Available)
	}
	return fmt.Sprintf("insufficient stock for product %s: requested %d", e.ProductID, e.Requested)
}

// StateError is a transition the order's current status does not allow.
type StateError struct {
	OrderID string
	Status  Status
	Action  string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s order %s: it is %s", e.Action, e.OrderID, e.Status)
}

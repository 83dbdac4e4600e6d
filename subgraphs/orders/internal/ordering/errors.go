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
	// ErrAdminKeyRequired means an admin-only operation was called
	// without any credentials.
	ErrAdminKeyRequired = errors.New("admin key required")
	// ErrForbidden means an admin-only operation was called by a user.
	ErrForbidden = errors.New("admin only")
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
	// Code says what is wrong (one of the Reason constants); Field names
	// the input it is about, as a path such as "products.1.quantity".
	// Both are empty when unknown; typed payloads then report INVALID.
	Code  Reason
	Field string
}

// Reason classifies an InputError for typed mutation results.
type Reason string

// Reasons an input is refused.
const (
	ReasonInvalid         Reason = "INVALID"
	ReasonRequired        Reason = "REQUIRED"
	ReasonInvalidQuantity Reason = "INVALID_QUANTITY"
	ReasonDuplicateLine   Reason = "DUPLICATE_LINE"
	ReasonTooManyLines    Reason = "TOO_MANY_LINES"
	ReasonNotFound        Reason = "NOT_FOUND"
	ReasonTotalTooLarge   Reason = "TOTAL_TOO_LARGE"
	ReasonKeyReused       Reason = "IDEMPOTENCY_KEY_REUSED"
)

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

// PendingError is a failure after a new order's document may have been
// written (its store did not answer, or answered too late): the order then
// stays PENDING until recovery settles it from products' reservation,
// CONFIRMED when products reserved its stock, REJECTED (stock given back)
// otherwise. The caller learns the id, so it can look the outcome up
// before placing the order again.
type PendingError struct {
	OrderID string
	// Resumable says that repeating the same call resumes this order
	// instead of placing another (a checkout, whose id is the cart's).
	Resumable bool
	Err       error
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("order %s may be left pending: %v", e.OrderID, e.Err)
}

func (e *PendingError) Unwrap() error { return e.Err }

// leftPending wraps err in a *PendingError unless it says for sure that
// the order was not placed: a refusal by products (nothing reserved) or
// products being unavailable (the order was rejected and its stock
// released, or recovery does both).
func leftPending(orderID string, resumable bool, err error) error {
	if err == nil || refused(err) || errors.Is(err, ErrUnavailable) {
		return err
	}
	return &PendingError{OrderID: orderID, Resumable: resumable, Err: err}
}

// Package ordering is the orders domain: the order state machine, input
// rules, ownership rules, the reservation saga against the products service
// and the recovery that finishes sagas interrupted by a crash.
//
// Correctness rests only on primitives that are atomic on MongoDB and on
// FerretDB alike: every state change is an INSERT of a transition document
// whose id is (orderId, step), so a unique index picks exactly one winner
// when a request handler, a concurrent cancel or the recovery loop race for
// the same step. The order document's status is a snapshot of the newest
// transition, refreshed after each insert and repaired by recovery; reads
// always merge the transitions in, so a stale snapshot is never shown.
//
// Cost per order does not grow with history: the store answers every
// operation on these paths by _id or with an insert. Recovery reads only a
// short work list of unsettled steps (recorded before each step's work,
// removed once it is settled), and one replica at a time runs it (a lease,
// see platform/lease).
package ordering

import (
	"slices"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/platform/outbox"
)

// Status is where an order stands.
type Status string

// The order state machine: PENDING -> CONFIRMED | REJECTED, CONFIRMED -> CANCELLED.
const (
	StatusPending   Status = "PENDING"
	StatusConfirmed Status = "CONFIRMED"
	StatusRejected  Status = "REJECTED"
	StatusCancelled Status = "CANCELLED"
)

// Transition steps. Each step can be taken once per order, which the store
// enforces with a unique key; CONFIRMED and REJECTED share step 1 so an order
// can never be both.
const (
	StepResolve = 1 // PENDING -> CONFIRMED | REJECTED
	StepCancel  = 2 // CONFIRMED -> CANCELLED
	// LastStep is the highest step: step n+1 can only follow step n, so a
	// reader that finds no transition n+1 knows there is none after it.
	LastStep = StepCancel
)

// Line is one product line of an order. UnitPrice is 0 until products has
// reserved the stock and quoted its price.
type Line struct {
	ProductID string
	// VariantID is the variant (SKU) ordered; empty for the product's
	// default variant until products names the one it reserved.
	VariantID string
	Quantity  int
	// UnitPrice is in the currency's minor units.
	UnitPrice int64
}

// Order is an order as the caller sees it: the order document with its
// newest transition applied.
type Order struct {
	ID     string
	UserID string
	Lines  []Line
	Status Status
	// Total is in the currency's minor units: int64, so sums beyond
	// 2^31 stay exact.
	Total     int64
	CreatedAt time.Time
	// HistorySeq is the number of the user's history entry that names
	// the order (0 when the store does not know it).
	HistorySeq int64
}

// Transition is one append-only step of an order's state machine.
type Transition struct {
	OrderID string
	Step    int
	From    Status
	To      Status
	// Lines and Total are the priced lines of a confirmation (copied to
	// cancellations so the event can name what comes back).
	Lines  []Line
	Total  int64
	Reason string
	At     time.Time
	// NeedsRelease is set when products may hold stock for the order that
	// must be given back; Released records that products acknowledged it.
	NeedsRelease bool
	Released     bool
	// Outbox is the event published with this transition, if any.
	Outbox *outbox.Entry
}

// Apply returns o with transition t applied: the transition log is the
// truth, the order document only a snapshot of it.
func (o Order) Apply(t Transition) Order {
	o.Status = t.To
	if len(t.Lines) > 0 {
		o.Lines = append([]Line(nil), t.Lines...)
		o.Total = t.Total
	}
	return o
}

// Caller is who asks, as far as the credentials say.
type Caller struct {
	UserID string
	// Admin may read and change every order: the admin key, or a staff
	// token with the MANAGE_ORDERS scope.
	Admin bool
}

// canSee reports whether c may read or change o.
func (c Caller) canSee(o Order) bool {
	return c.Admin || (c.UserID != "" && c.UserID == o.UserID)
}

// SortNewestFirst orders os newest first: by creation time, then by id
// (ids are ObjectIDs, which grow with time), both descending.
func SortNewestFirst(os []Order) {
	slices.SortStableFunc(os, func(a, b Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

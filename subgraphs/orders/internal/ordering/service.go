package ordering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/outbox"
)

// MaxList is the most orders one list query returns.
const MaxList = 500

// Service runs the order use cases.
type Service struct {
	store Storer
	inv   Inventory
	topic string
	log   *slog.Logger
	// Notify wakes the outbox relay after a transition carrying an event.
	notify func()
	now    func() time.Time
	// grace is how old unfinished work must be before recovery takes it
	// over from the request that started it.
	grace time.Duration
	// reserveTimeout bounds a request's wait for products' reservation.
	reserveTimeout time.Duration
}

// Options configures a Service.
type Options struct {
	Store     Storer
	Inventory Inventory
	// Topic is the full (prefixed) orders topic name.
	Topic string
	Log   *slog.Logger
	// Notify is called after an event was stored; nil means no relay to wake.
	Notify func()
	// Grace is how long recovery leaves unfinished work to its request; it
	// must exceed ReserveTimeout, or recovery would settle orders whose
	// request still waits for products.
	Grace time.Duration
	// ReserveTimeout bounds how long placing an order waits for products
	// to reserve its stock, every retry included; a request's earlier
	// deadline wins. Zero leaves it to the request and the products
	// client's own attempt limits.
	ReserveTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewService returns a Service.
func NewService(o Options) *Service {
	s := &Service{store: o.Store, inv: o.Inventory, topic: o.Topic, log: o.Log, notify: o.Notify, now: o.Now, grace: o.Grace, reserveTimeout: o.ReserveTimeout}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.notify == nil {
		s.notify = func() {}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Get returns one order to its owner or an admin; anyone else gets
// ErrNotFound, so order ids cannot be probed.
func (s *Service) Get(ctx context.Context, c Caller, id string) (Order, error) {
	if c.UserID == "" && !c.Admin {
		return Order{}, ErrUnauthenticated
	}
	if _, err := primitive.ObjectIDFromHex(id); err != nil {
		return Order{}, &InputError{Msg: fmt.Sprintf("%q is not a valid order id", id), Code: ReasonInvalid, Field: "id"}
	}
	o, err := s.store.Get(ctx, id)
	if err != nil {
		return Order{}, fmt.Errorf("get order: %w", err)
	}
	if !c.canSee(o) {
		return Order{}, fmt.Errorf("get order: %w", ErrNotFound)
	}
	return o, nil
}

// List returns the caller's orders, or every order for an admin, newest
// first, at most MaxList.
func (s *Service) List(ctx context.Context, c Caller) ([]Order, error) {
	var (
		out []Order
		err error
	)
	switch {
	case c.Admin:
		out, err = s.store.ListAll(ctx, MaxList)
	case c.UserID != "":
		out, err = s.store.History(ctx, c.UserID, MaxList)
	default:
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return out, nil
}

// OrdersOfUsers returns the order history of each requested user, newest
// first, at most MaxList orders each (as `orders` returns). Order history
// is private: users other than the caller get an empty history unless the
// caller is an admin. Each distinct user's history is read once, however
// often the user is requested, so repeating a representation costs
// nothing.
func (s *Service) OrdersOfUsers(ctx context.Context, c Caller, userIDs []string) (map[string][]Order, error) {
	out := map[string][]Order{}
	for _, id := range userIDs {
		if !c.Admin && (c.UserID == "" || id != c.UserID) {
			continue
		}
		if _, done := out[id]; done {
			continue
		}
		orders, err := s.store.History(ctx, id, MaxList)
		if err != nil {
			return nil, fmt.Errorf("orders of users: %w", err)
		}
		out[id] = orders
	}
	return out, nil
}

// OrdersByID resolves order references by point reads; orders the caller
// may not see (or that do not exist) come back missing from the map.
func (s *Service) OrdersByID(ctx context.Context, c Caller, ids []string) (map[string]Order, error) {
	valid := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if _, err := primitive.ObjectIDFromHex(id); err == nil && !seen[id] {
			seen[id] = true
			valid = append(valid, id)
		}
	}
	out := make(map[string]Order, len(valid))
	if len(valid) == 0 {
		return out, nil
	}
	orders, err := s.store.GetMany(ctx, valid)
	if err != nil {
		return nil, fmt.Errorf("orders by id: %w", err)
	}
	for _, o := range orders {
		if c.canSee(o) {
			out[o.ID] = o
		}
	}
	return out, nil
}

// event builds the outbox entry of an order event.
// Events of one order are ordered by step, never by wall-clock time.
func (s *Service) event(typ string, o Order, step int, at time.Time) (*outbox.Entry, error) {
	data := events.OrderData{OrderID: o.ID, UserID: o.UserID, Status: string(o.Status), Total: int(o.Total)}
	for _, l := range o.Lines {
		data.Lines = append(data.Lines, events.OrderLine{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity, UnitPrice: int(l.UnitPrice)})
	}
	env, err := events.New(typ, at, data)
	if err != nil {
		return nil, err
	}
	e := outbox.NewEntry(s.topic, o.ID, int64(step), env)
	return &e, nil
}

// take appends t (with its event), refreshes the snapshot and, when t owes
// products a release, releases. Once all of that is recorded the step's
// work item is removed; whatever failed stays on the work list for
// recovery. When another writer took the step first it returns the winner
// and ErrStepTaken (the winner settles the step).
func (s *Service) take(ctx context.Context, o Order, t Transition, eventType string) (Order, error) {
	t.OrderID, t.At = o.ID, s.now().UTC()
	next := o.Apply(t)
	if eventType != "" {
		e, err := s.event(eventType, next, t.Step, t.At)
		if err != nil {
			return Order{}, fmt.Errorf("take %s: %w", t.To, err)
		}
		t.Outbox = e
	}
	if err := s.store.AppendTransition(ctx, t); err != nil {
		if !errors.Is(err, ErrStepTaken) {
			return Order{}, fmt.Errorf("take %s: %w", t.To, err)
		}
		cur, gerr := s.store.Get(ctx, o.ID)
		if gerr != nil {
			return Order{}, fmt.Errorf("take %s: read winner: %w", t.To, gerr)
		}
		return cur, ErrStepTaken
	}
	if t.Outbox != nil {
		s.notify()
	}
	settled := true
	if err := s.store.ApplySnapshot(ctx, t); err != nil {
		// Reads merge transitions and recovery re-applies the snapshot,
		// so a failed snapshot only delays the denormalised copy.
		s.log.Warn("order snapshot not refreshed; recovery will retry", "order", o.ID, "step", t.Step, "err", err)
		settled = false
	}
	if t.NeedsRelease && !s.release(ctx, o.ID, t.Step) {
		settled = false
	}
	if settled {
		s.finish(ctx, WorkItem{OrderID: o.ID, Step: t.Step})
	}
	return next, nil
}

// finish removes a settled step from the work list. A failure only means
// recovery finds the step settled and removes it then.
func (s *Service) finish(ctx context.Context, w WorkItem) {
	if err := s.store.FinishWork(ctx, w); err != nil {
		s.log.Warn("settled order step left on the work list; recovery will remove it", "order", w.OrderID, "step", w.Step, "err", err)
	}
}

// release gives an order's stock back and records the acknowledgement; it
// reports whether both happened. Failures are logged: recovery (and
// products' OrderCancelled consumer) retries, so the caller's operation
// still succeeds.
func (s *Service) release(ctx context.Context, orderID string, step int) bool {
	if err := s.inv.Release(ctx, orderID); err != nil {
		s.log.Warn("stock release failed; recovery will retry", "order", orderID, "err", err)
		return false
	}
	if err := s.store.MarkReleased(ctx, orderID, step); err != nil {
		s.log.Warn("release acknowledgement not recorded; recovery will release again", "order", orderID, "err", err)
		return false
	}
	return true
}

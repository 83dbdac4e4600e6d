package ordering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
)

// Place runs the reservation saga for a new order:
//
//  1. insert the order as PENDING (so a crash from here on leaves a record
//     that recovery finds),
//  2. reserve every line at products under the order's id (idempotent, all
//     or nothing),
//  3. take step 1: CONFIRMED with the quoted prices, or REJECTED.
//
// When products cannot be reached within the reserve budget the order is
// REJECTED at once with a release owed, so nothing stays reserved even if
// the reservation lands after all (products records the release first and
// refuses the late reserve); the caller gets ErrUnavailable without
// waiting for recovery. When the order's own store fails after the order
// may have been written, the caller gets a *PendingError naming it.
// Every call places a new order; PlaceWithKey makes retries safe.
func (s *Service) Place(ctx context.Context, c Caller, in []*LineInput) (Order, error) {
	return s.place(ctx, c, in, nil)
}

// place is Place without a key (nil) and PlaceWithKey with one.
func (s *Service) place(ctx context.Context, c Caller, in []*LineInput, keyArg *string) (Order, error) {
	if c.UserID == "" {
		return Order{}, ErrUnauthenticated
	}
	lines, err := ValidateLines(in)
	if err != nil {
		return Order{}, err
	}
	o := Order{
		ID:        primitive.NewObjectID().Hex(),
		UserID:    c.UserID,
		Lines:     lines,
		Status:    StatusPending,
		CreatedAt: s.now().UTC(),
	}
	if keyArg == nil {
		if err := s.store.Create(ctx, o); err != nil {
			return Order{}, fmt.Errorf("place order: %w", leftPending(o.ID, false, err))
		}
		return s.reserveAndConfirm(ctx, o, false)
	}
	key := *keyArg
	if key == "" {
		return Order{}, &InputError{Msg: "idempotencyKey must not be empty; leave it out to place an order without one", Code: ReasonInvalid, Field: "idempotencyKey"}
	}
	if len(key) > MaxKeyLength {
		return Order{}, &InputError{Msg: fmt.Sprintf("idempotencyKey must be at most %d bytes, got %d", MaxKeyLength, len(key)), Code: ReasonInvalid, Field: "idempotencyKey"}
	}
	rec, err := s.store.ClaimKey(ctx, KeyRecord{UserID: c.UserID, Key: key, OrderID: o.ID, Lines: lines, At: o.CreatedAt})
	if err != nil {
		// Nothing was placed yet; repeating the call with the key is safe.
		return Order{}, fmt.Errorf("place order: %w", err)
	}
	if rec.OrderID == o.ID {
		err := s.store.Create(ctx, o)
		if err == nil {
			return s.reserveAndConfirm(ctx, o, true)
		}
		if !errors.Is(err, ErrExists) {
			return Order{}, fmt.Errorf("place order: %w", leftPending(o.ID, true, err))
		}
		// A retry that came in meanwhile created it: carry on below.
	} else if rec.UserID != c.UserID || rec.Key != key || !sameLines(rec.Lines, lines) {
		return Order{}, &InputError{Msg: fmt.Sprintf("idempotencyKey %q was already used for an order with other products", key), Code: ReasonKeyReused, Field: "idempotencyKey"}
	}
	// A retry: the first call's order, created here if that call died
	// (or has not got so far) before writing it.
	o.ID, o.CreatedAt = rec.OrderID, rec.At
	cur, err := s.resume(context.WithoutCancel(ctx), c, o)
	if errors.Is(err, ErrNotFound) {
		return Order{}, fmt.Errorf("place order: %w", err)
	}
	if err != nil {
		return Order{}, fmt.Errorf("place order: %w", leftPending(o.ID, true, err))
	}
	if cur.Status != StatusPending {
		return cur, nil
	}
	return s.reserveAndConfirm(ctx, cur, true)
}

// reserveAndConfirm runs steps 2 and 3 of Place for o, which is PENDING.
// resumable says whether the caller can resume o by repeating its call.
func (s *Service) reserveAndConfirm(req context.Context, o Order, resumable bool) (Order, error) {
	rctx, cancel := s.reserveContext(req)
	res, err := s.inv.Reserve(rctx, o.ID, o.Lines)
	cancel()
	// The saga must finish even if the client goes away mid-request.
	ctx := context.WithoutCancel(req)
	if err != nil {
		return s.failPlace(ctx, o, err, !refused(err))
	}
	next, err := s.confirm(ctx, o, res)
	return next, leftPending(o.ID, resumable, err)
}

// reserveContext bounds the reservation of a request's order by the
// reserve budget and the request's own deadline, whichever comes first.
// It does not end when the request is cancelled: a client that goes away
// must not cut the saga short, since products may already hold the stock.
func (s *Service) reserveContext(req context.Context) (context.Context, context.CancelFunc) {
	ctx := context.WithoutCancel(req)
	dl, ok := req.Deadline()
	if s.reserveTimeout > 0 {
		if budget := time.Now().Add(s.reserveTimeout); !ok || budget.Before(dl) {
			dl, ok = budget, true
		}
	}
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl)
}

// confirm takes step 1 as CONFIRMED from a RESERVED reservation. If the
// reservation does not fit the order it is rejected and released instead.
func (s *Service) confirm(ctx context.Context, o Order, res Reservation) (Order, error) {
	if res.Status != inventoryapi.StatusReserved {
		if res.Err != nil && refused(res.Err) {
			return s.failPlace(ctx, o, res.Err, false)
		}
		return s.failPlace(ctx, o, fmt.Errorf("confirm order: reservation is %s: %w", res.Status, ErrUnavailable), true)
	}
	lines, total, err := priceLines(o.Lines, res.Lines)
	if err != nil {
		return s.failPlace(ctx, o, err, true)
	}
	t := Transition{Step: StepResolve, From: StatusPending, To: StatusConfirmed, Lines: lines, Total: total}
	next, err := s.take(ctx, o, t, events.OrderPlaced)
	if errors.Is(err, ErrStepTaken) {
		// Recovery resolved the order while products was slow. If it
		// rejected it, the stock we now hold belongs to no live order.
		if next.Status == StatusConfirmed {
			return next, nil
		}
		s.release(ctx, o.ID, StepResolve)
		return Order{}, fmt.Errorf("confirm order: order %s was already %s: %w", o.ID, next.Status, ErrUnavailable)
	}
	if err != nil {
		return Order{}, fmt.Errorf("confirm order: %w", err)
	}
	return next, nil
}

// failPlace rejects the order and returns cause to the caller, unless
// recovery meanwhile confirmed the order from a reservation products did
// make (then that order is the answer).
func (s *Service) failPlace(ctx context.Context, o Order, cause error, mayHold bool) (Order, error) {
	next, err := s.reject(ctx, o, cause.Error(), mayHold)
	switch {
	case errors.Is(err, ErrStepTaken) && next.Status == StatusConfirmed:
		return next, nil
	case err != nil && !errors.Is(err, ErrStepTaken):
		// The order stays PENDING; recovery resolves it after the grace period.
		s.log.Error("order rejection not recorded; recovery will resolve it", "order", o.ID, "err", err)
	}
	return Order{}, cause
}

// reject takes step 1 as REJECTED. mayHold says whether products may hold
// stock for the order (then a release is owed, and take attempts it):
// false only when products refused the reservation outright, since
// reservations are all or nothing. It returns take's answer (the winner on
// ErrStepTaken).
func (s *Service) reject(ctx context.Context, o Order, reason string, mayHold bool) (Order, error) {
	t := Transition{Step: StepResolve, From: StatusPending, To: StatusRejected, Reason: reason, NeedsRelease: mayHold}
	return s.take(ctx, o, t, events.OrderRejected)
}

// refused reports whether err is products refusing a reservation, which
// means it reserved nothing.
func refused(err error) bool {
	var stock *StockError
	var input *InputError
	return errors.As(err, &stock) || errors.As(err, &input)
}

// Cancel cancels a CONFIRMED order for its owner or an admin and gives its
// stock back. Cancelling is idempotent: a second cancel (concurrent or not)
// returns the cancelled order, and only the one that took the step releases
// (take does, since the step owes a release).
func (s *Service) Cancel(ctx context.Context, c Caller, id string) (Order, error) {
	o, err := s.Get(ctx, c, id)
	if err != nil {
		return Order{}, fmt.Errorf("cancel order: %w", err)
	}
	switch o.Status {
	case StatusCancelled:
		return o, nil
	case StatusConfirmed:
	default:
		return Order{}, &StateError{OrderID: o.ID, Status: o.Status, Action: "cancel"}
	}
	ctx = context.WithoutCancel(ctx)
	t := Transition{Step: StepCancel, From: StatusConfirmed, To: StatusCancelled, Lines: o.Lines, Total: o.Total, NeedsRelease: true}
	next, err := s.take(ctx, o, t, events.OrderCancelled)
	if errors.Is(err, ErrStepTaken) {
		return next, nil
	}
	if err != nil {
		return Order{}, fmt.Errorf("cancel order: %w", err)
	}
	return next, nil
}

package ordering

import (
	"context"
	"errors"
	"fmt"
)

// PlaceHeld places an order under an id the caller chose (a cart's), for
// lines products already holds under holdID: the reservation converts the
// held units, and only what a hold lacks is taken from free stock.
//
// It is idempotent by orderID: the order document's unique id makes the
// first call create the order; a repeated or concurrent call finds it and
// returns it once resolved, finishing the saga itself when the order is
// still PENDING (the reservation is idempotent at products and the
// resolution is a unique transition step, so only one outcome is taken).
func (s *Service) PlaceHeld(ctx context.Context, c Caller, orderID, holdID string, lines []Line) (Order, error) {
	if c.UserID == "" {
		return Order{}, ErrUnauthenticated
	}
	in := make([]*LineInput, len(lines))
	for i, l := range lines {
		in[i] = &LineInput{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity}
	}
	valid, err := ValidateLines(in)
	if err != nil {
		return Order{}, err
	}
	req := ctx
	ctx = context.WithoutCancel(ctx)
	o, err := s.resume(ctx, c, Order{ID: orderID, UserID: c.UserID, Lines: valid, Status: StatusPending, CreatedAt: s.now().UTC()})
	if errors.Is(err, ErrNotFound) {
		return Order{}, fmt.Errorf("place held order: %w", err)
	}
	if err != nil {
		return Order{}, fmt.Errorf("place held order: %w", leftPending(orderID, true, err))
	}
	if o.Status != StatusPending {
		return o, nil
	}
	rctx, cancel := s.reserveContext(req)
	res, err := s.inv.ReserveHeld(rctx, o.ID, holdID, o.Lines)
	cancel()
	if err != nil {
		return s.failPlace(ctx, o, err, !refused(err))
	}
	next, err := s.confirm(ctx, o, res)
	return next, leftPending(o.ID, true, err)
}

// resume returns the order with o's id, creating it from o when it does
// not exist yet. It reads before it creates, so a retry never records the
// order twice in the user's history; a concurrent creator that wins the
// insert is read back. An order of another user is ErrNotFound.
func (s *Service) resume(ctx context.Context, c Caller, o Order) (Order, error) {
	cur, err := s.store.Get(ctx, o.ID)
	if errors.Is(err, ErrNotFound) {
		err = s.store.Create(ctx, o)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, ErrExists) {
			return Order{}, err
		}
		cur, err = s.store.Get(ctx, o.ID)
	}
	if err != nil {
		return Order{}, err
	}
	if cur.UserID != c.UserID {
		return Order{}, ErrNotFound
	}
	return cur, nil
}

// OrderOf returns an order by id without access checks, for other domains
// of this service (a cart asks whether its id became an order); found is
// false when there is no such order.
func (s *Service) OrderOf(ctx context.Context, id string) (Order, bool, error) {
	o, err := s.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("order of: %w", err)
	}
	return o, true, nil
}

package cart

import (
	"context"
	"fmt"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Checkout turns the caller's cart into an order:
//
//  1. the hold is set to the cart's lines again, which re-holds lines
//     whose hold expired when stock allows and extends the hold; when any
//     line cannot be held, checkout fails with a *StockError naming every
//     such line, and nothing is converted (the other lines stay held);
//  2. the order is placed under the cart session's id, and products
//     converts the held units into its reservation in one ledger entry
//     per line.
//
// Retrying is safe: the session id is the order id, so a repeated checkout
// (sequential, concurrent, or on another replica) finds the first order
// and returns it. After a checkout the next cart activity opens a new cart.
func (s *Service) Checkout(ctx context.Context, c ordering.Caller) (ordering.Order, error) {
	if c.UserID == "" {
		return ordering.Order{}, ErrUnauthenticated
	}
	defer s.lock(c.UserID)()
	latest, ok, err := s.store.LatestSession(ctx, c.UserID)
	if err != nil {
		return ordering.Order{}, fmt.Errorf("checkout: %w", err)
	}
	if ok {
		o, found, err := s.orders.OrderOf(ctx, latest.ID)
		if err != nil {
			return ordering.Order{}, fmt.Errorf("checkout: %w", err)
		}
		if found && o.Status != ordering.StatusRejected {
			// A retry: answer with the first checkout's order, finishing
			// it if that checkout was cut short.
			return s.orders.PlaceHeld(ctx, c, o.ID, o.ID, o.Lines)
		}
	}
	sess, err := s.session(ctx, c.UserID)
	if err != nil {
		return ordering.Order{}, fmt.Errorf("checkout: %w", err)
	}
	lines, err := s.store.Lines(ctx, sess.ID)
	if err != nil {
		return ordering.Order{}, fmt.Errorf("checkout: %w", err)
	}
	if len(lines) == 0 {
		return ordering.Order{}, ErrEmpty
	}
	ctx = context.WithoutCancel(ctx)
	held, err := s.holds.SetHold(ctx, sess.ID, lines)
	if err != nil {
		return ordering.Order{}, fmt.Errorf("checkout: %w", err)
	}
	if len(held.Problems) > 0 {
		return ordering.Order{}, &StockError{Lines: held.Problems}
	}
	ols := make([]ordering.Line, len(lines))
	for i, l := range lines {
		ols[i] = ordering.Line{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity}
	}
	o, err := s.orders.PlaceHeld(ctx, c, sess.ID, sess.ID, ols)
	if err != nil {
		return ordering.Order{}, err
	}
	if o.Status == ordering.StatusConfirmed {
		// Units of products the cart no longer has (a lost line update)
		// would otherwise wait for the hold to expire.
		if err := s.holds.ReleaseHold(ctx, sess.ID); err != nil {
			s.log.Warn("cart hold leftovers not released; they expire on their own", "hold", sess.ID, "err", err)
		}
	}
	return o, nil
}

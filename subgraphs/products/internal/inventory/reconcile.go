package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// Default bounds of reservation work (see SetReservationBounds).
const (
	// DefaultRunTimeout bounds one Reserve or Release call.
	DefaultRunTimeout = 20 * time.Second
	// DefaultReconcileAfter is how old an undecided attempt must be
	// before the reconciler settles it.
	DefaultReconcileAfter = 30 * time.Second
)

// SetReservationBounds sets how long one Reserve or Release call may run
// (detached from its caller) and how old an undecided attempt must be
// before ReconcileReservations settles it; call it while wiring the
// service. The reconciler's bound must be the longer one, so it never
// settles an attempt whose runner may still write; a pair that is not is
// ignored.
func (s *Service) SetReservationBounds(run, reconcileAfter time.Duration) {
	if run > 0 && reconcileAfter > run {
		s.runTimeout, s.reconcileAfter = run, reconcileAfter
	}
}

// ReconcileReservations settles every reservation attempt still on the
// undecided list that started longer ago than the reconciler's bound, and
// returns how many it settled. Such an attempt's runner gave up (its bound
// is shorter) or died, possibly with a ledger insert in flight that lands
// later. For each one:
//   - an order with no decision gets a REJECTED, released decision, by the
//     same insert keyed by order id as every decision (whoever inserts
//     first decides: a runner's RESERVED landing first stands);
//   - every product of the attempt not named by a standing RESERVED
//     decision is closed (see closeLine): its reserve entry, if any, is
//     given back, and a late one can no longer land;
//   - the order is settled as Release would, and the attempt leaves the
//     list.
//
// One replica runs it (under a lease); a second one at the same time
// would only repeat idempotent steps. It reads the undecided list whole:
// the list keeps only attempts not yet settled.
func (s *Service) ReconcileReservations(ctx context.Context) (int, error) {
	pending, err := s.store.PendingAttempts(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconcile reservations: %w", err)
	}
	cutoff := s.now().Add(-s.reconcileAfter)
	n := 0
	var errs []error
	for _, a := range pending {
		if a.CreatedAt.After(cutoff) {
			continue
		}
		if err := s.reconcileAttempt(ctx, a.OrderID, a.N); err != nil {
			errs = append(errs, fmt.Errorf("reconcile reservations: %w", err))
			continue
		}
		s.log.Info("reservation attempt reconciled", "order", a.OrderID, "attempt", a.N)
		n++
	}
	return n, errors.Join(errs...)
}

// reconcileAttempt settles attempt n of an order (see ReconcileReservations).
func (s *Service) reconcileAttempt(ctx context.Context, orderID string, n int) error {
	a, ok, err := s.store.Attempt(ctx, orderID, n)
	if err != nil {
		return err
	}
	if !ok {
		// Listed without an attempt cannot happen (the attempt is
		// recorded first); nothing of it can be reserved.
		return s.store.DeletePending(ctx, orderID, n)
	}
	r, err := s.store.Reservation(ctx, orderID)
	if errors.Is(err, ErrNotFound) {
		now := s.now()
		d := Reservation{OrderID: orderID, Status: StatusRejected, CreatedAt: now, Released: true, ReleasedAt: &now}
		if err := s.store.InsertReservation(ctx, d); err != nil && !errors.Is(err, ErrDuplicate) {
			return fmt.Errorf("decide %s: %w", orderID, err)
		}
		r, err = s.store.Reservation(ctx, orderID)
	}
	if err != nil {
		return fmt.Errorf("decide %s: %w", orderID, err)
	}
	standing := r.Status == StatusReserved && !r.Released
	if !standing || r.DecidedBy != n {
		named := map[string]bool{}
		if standing {
			for _, l := range r.Lines {
				named[l.ProductID] = true
			}
		}
		for _, id := range a.Products {
			if named[id] {
				continue
			}
			if err := s.closeLine(ctx, orderID, id); err != nil {
				return fmt.Errorf("settle %s: %w", orderID, err)
			}
		}
		if err := s.markDone(ctx, orderID, n); err != nil {
			return fmt.Errorf("settle %s: %w", orderID, err)
		}
		if _, err := s.settle(ctx, r, nil); err != nil {
			return err
		}
	}
	return s.store.DeletePending(ctx, orderID, n)
}

// closeLine closes the reserve operation of an order's product: it
// appends an empty reserve entry (no units) under the operation's key,
// which the ledger keeps unique, so a reserve entry still in flight can
// no longer land; when the operation's entry exists already (it landed,
// perhaps late), it is found instead and its units are given back.
func (s *Service) closeLine(ctx context.Context, orderID, productID string) error {
	if _, err := s.products.ProductData(ctx, productID); errors.Is(err, catalog.ErrNotFound) {
		// Never reservable: no entry of it can exist.
		return nil
	} else if err != nil {
		return fmt.Errorf("close %s: %w", productID, err)
	}
	m, _, err := s.move(ctx, moveSpec{productID: productID, kind: KindReserve, opKey: orderID, orderID: orderID})
	if err != nil {
		return fmt.Errorf("close %s: %w", productID, err)
	}
	return s.releaseLine(ctx, orderID, productID, m.Reserved())
}

// Health is the inventory's pending background work.
type Health struct {
	// Undecided counts the reservation attempts not yet settled.
	Undecided int
	// Dirty counts the products whose stock document may lag the ledger.
	Dirty int
	// OldestUndecided is the age of the oldest attempt counted in
	// Undecided (nil when there is none).
	OldestUndecided *time.Duration
}

// Health reads the two work lists whole (both keep only the work not yet
// done, so they stay small).
func (s *Service) Health(ctx context.Context) (Health, error) {
	pending, err := s.store.PendingAttempts(ctx)
	if err != nil {
		return Health{}, fmt.Errorf("inventory health: %w", err)
	}
	dirty, err := s.store.DirtyStock(ctx)
	if err != nil {
		return Health{}, fmt.Errorf("inventory health: %w", err)
	}
	h := Health{Undecided: len(pending), Dirty: len(dirty)}
	now := s.now()
	for _, a := range pending {
		if age := max(0, now.Sub(a.CreatedAt)); h.OldestUndecided == nil || age > *h.OldestUndecided {
			h.OldestUndecided = &age
		}
	}
	return h, nil
}

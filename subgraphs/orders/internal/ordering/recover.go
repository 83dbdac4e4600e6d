package ordering

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
)

// recoverBatch bounds the work of one recovery pass per kind.
const recoverBatch = 200

// RecoveryReport counts what one recovery pass did.
type RecoveryReport struct {
	Snapshots int // snapshots re-applied from transitions
	Confirmed int // PENDING orders confirmed from products' reservation
	Rejected  int // PENDING orders rejected (products held nothing or lost it)
	Released  int // owed releases acknowledged by products
	Failed    int // items left for the next pass (e.g. products down)
}

// Recover finishes work that a crash or an outage interrupted. Work younger
// than the grace period is left to the request that started it.
//
//   - Transitions whose snapshot was not written are re-applied.
//   - PENDING orders are resolved by asking products for the reservation:
//     RESERVED -> CONFIRMED; anything else -> REJECTED, with a release owed
//     when products never heard of the order (a reserve could still be in
//     flight, and release is idempotent).
//   - Owed releases (rejections after an outage, cancellations) are retried
//     until products acknowledges them, so stock is never lost; releases are
//     idempotent at products, so it is never returned twice either.
//
// Every resolution goes through the same unique transition step as the
// request handlers, so recovery racing a live request or another replica
// changes nothing twice.
func (s *Service) Recover(ctx context.Context) (RecoveryReport, error) {
	var rep RecoveryReport
	before := s.now().Add(-s.grace)
	var errs []error

	ts, err := s.store.Unapplied(ctx, before, recoverBatch)
	if err != nil {
		errs = append(errs, fmt.Errorf("recover snapshots: %w", err))
	}
	for _, t := range ts {
		if err := s.store.ApplySnapshot(ctx, t); err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("recover snapshot %s: %w", t.OrderID, err))
			continue
		}
		rep.Snapshots++
	}

	pending, err := s.store.StalePending(ctx, before, recoverBatch)
	if err != nil {
		errs = append(errs, fmt.Errorf("recover pending: %w", err))
	}
	for _, o := range pending {
		if err := s.resolvePending(ctx, o, &rep); err != nil {
			rep.Failed++
			errs = append(errs, err)
		}
	}

	owed, err := s.store.Unreleased(ctx, before, recoverBatch)
	if err != nil {
		errs = append(errs, fmt.Errorf("recover releases: %w", err))
	}
	for _, t := range owed {
		if err := s.inv.Release(ctx, t.OrderID); err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("recover release %s: %w", t.OrderID, err))
			continue
		}
		if err := s.store.MarkReleased(ctx, t.OrderID, t.Step); err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("recover release %s: %w", t.OrderID, err))
			continue
		}
		rep.Released++
	}
	return rep, errors.Join(errs...)
}

// resolvePending takes step 1 for an order whose request never finished.
func (s *Service) resolvePending(ctx context.Context, o Order, rep *RecoveryReport) error {
	if t, err := s.store.Transition(ctx, o.ID, StepResolve); err == nil {
		// Resolved, only the snapshot is stale (it lists as PENDING).
		if err := s.store.ApplySnapshot(ctx, t); err != nil {
			return fmt.Errorf("recover order %s: %w", o.ID, err)
		}
		rep.Snapshots++
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("recover order %s: %w", o.ID, err)
	}
	res, found, err := s.inv.Lookup(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("recover order %s: %w", o.ID, err)
	}
	if found && res.Status == inventoryapi.StatusReserved {
		next, err := s.confirm(ctx, o, res)
		if err != nil && !refused(err) {
			return fmt.Errorf("recover order %s: %w", o.ID, err)
		}
		if next.Status == StatusConfirmed {
			rep.Confirmed++
		} else {
			rep.Rejected++
		}
		return nil
	}
	reason := "recovered: products never reserved the order"
	if found {
		reason = "recovered: products reservation is " + res.Status
	}
	next, err := s.reject(ctx, o, reason, !found)
	switch {
	case err == nil || errors.Is(err, ErrStepTaken) && next.Status == StatusRejected:
		rep.Rejected++
	case errors.Is(err, ErrStepTaken):
		rep.Confirmed++
	default:
		return fmt.Errorf("recover order %s: %w", o.ID, err)
	}
	return nil
}

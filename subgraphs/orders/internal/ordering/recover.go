package ordering

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
)

const (
	// recoverBatch is how many work items a recovery pass reads at once.
	recoverBatch = 200
	// recoverMaxFailures ends a pass after this many items failed in a
	// row (products down, say): each failed item has moved behind the
	// others, so the next pass starts with items not tried yet.
	recoverMaxFailures = 3
)

// RecoveryReport counts what one recovery pass did.
type RecoveryReport struct {
	Snapshots int // snapshots re-applied from transitions
	Confirmed int // PENDING orders confirmed from products' reservation
	Rejected  int // PENDING orders rejected (products held nothing or lost it)
	Released  int // owed releases acknowledged by products
	Failed    int // items left for the next pass (e.g. products down)
}

// Recover runs one recovery pass; see RecoverWhile.
func (s *Service) Recover(ctx context.Context) (RecoveryReport, error) {
	return s.RecoverWhile(ctx, nil)
}

// RecoverWhile finishes work that a crash or an outage interrupted. It
// reads only the work list (the steps not yet settled), oldest first, and
// leaves items younger than the grace period to the request that started
// them. keep, when not nil, is asked before each item and ends the pass
// when it returns false (the recovery lease ran out).
//
// For each item:
//
//   - a new order whose step 1 was never taken is resolved by asking
//     products for the reservation: RESERVED -> CONFIRMED; anything else
//     -> REJECTED, with a release owed when products never heard of the
//     order (a reserve could still be in flight, and release is
//     idempotent); an order whose document was never written gets a
//     REJECTED step 1 without an event, so a write that lands late cannot
//     leave it PENDING;
//   - a snapshot behind the step is re-applied;
//   - an owed release is retried until products acknowledges it, so stock
//     is never lost; releases are idempotent at products, so it is never
//     returned twice either.
//
// Every resolution goes through the same unique transition step as the
// request handlers, so recovery racing a live request or another replica
// changes nothing twice. An item that fails is recorded again behind the
// others; after recoverMaxFailures failures in a row the pass ends. A
// pass reads recoverBatch items at a time, and reads the next batch only
// when it settled every item of a full one.
func (s *Service) RecoverWhile(ctx context.Context, keep func() bool) (RecoveryReport, error) {
	var rep RecoveryReport
	var errs []error
	// A full batch that settled entirely suggests a backlog (an outage
	// left many releases owed): read the next batch at once.
	for {
		n, settled, err := s.settleBatch(ctx, keep, &rep)
		if err != nil {
			errs = append(errs, err)
		}
		if n < recoverBatch || settled < n {
			break
		}
	}
	return rep, errors.Join(errs...)
}

// settleBatch settles one batch of the work list and returns how many
// items it read and how many it settled.
func (s *Service) settleBatch(ctx context.Context, keep func() bool, rep *RecoveryReport) (int, int, error) {
	before := s.now().Add(-s.grace)
	items, err := s.store.Work(ctx, recoverBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("recover: %w", err)
	}
	var errs []error
	failures, settled := 0, 0
	for _, w := range items {
		if w.At.After(before) {
			continue
		}
		if ctx.Err() != nil || (keep != nil && !keep()) {
			break
		}
		if err := s.settle(ctx, w, rep); err != nil {
			rep.Failed++
			errs = append(errs, err)
			if err := s.store.RetryWork(ctx, w); err != nil {
				errs = append(errs, fmt.Errorf("recover order %s: %w", w.OrderID, err))
			}
			if failures++; failures >= recoverMaxFailures {
				break
			}
			continue
		}
		failures = 0
		if err := s.store.FinishWork(ctx, w); err != nil {
			errs = append(errs, fmt.Errorf("recover order %s: %w", w.OrderID, err))
			continue
		}
		settled++
	}
	return len(items), settled, errors.Join(errs...)
}

// settle brings one step to its settled state: taken, snapshot applied,
// owed release acknowledged.
func (s *Service) settle(ctx context.Context, w WorkItem, rep *RecoveryReport) error {
	t, err := s.store.Transition(ctx, w.OrderID, w.Step)
	if errors.Is(err, ErrNotFound) {
		if w.Step != StepResolve {
			// The step was never taken (its insert failed after the item
			// was recorded): nothing is owed.
			return nil
		}
		if err := s.resolvePending(ctx, w, rep); err != nil {
			return err
		}
		t, err = s.store.Transition(ctx, w.OrderID, w.Step)
	}
	if err != nil {
		return fmt.Errorf("recover order %s: %w", w.OrderID, err)
	}
	step, found, err := s.store.SnapshotStep(ctx, w.OrderID)
	if err != nil {
		return fmt.Errorf("recover order %s: %w", w.OrderID, err)
	}
	if found && step < t.Step {
		if err := s.store.ApplySnapshot(ctx, t); err != nil {
			return fmt.Errorf("recover order %s: %w", w.OrderID, err)
		}
		rep.Snapshots++
	}
	if t.NeedsRelease && !t.Released {
		if err := s.inv.Release(ctx, w.OrderID); err != nil {
			return fmt.Errorf("recover release %s: %w", w.OrderID, err)
		}
		if err := s.store.MarkReleased(ctx, w.OrderID, t.Step); err != nil {
			return fmt.Errorf("recover release %s: %w", w.OrderID, err)
		}
		rep.Released++
	}
	return nil
}

// resolvePending takes step 1 for an order whose request never finished.
func (s *Service) resolvePending(ctx context.Context, w WorkItem, rep *RecoveryReport) error {
	o, err := s.store.Get(ctx, w.OrderID)
	if errors.Is(err, ErrNotFound) {
		// The request failed before the order document was written, so
		// it never asked products for anything.
		t := Transition{OrderID: w.OrderID, Step: StepResolve, From: StatusPending, To: StatusRejected,
			Reason: "recovered: the order was never recorded", At: s.now().UTC()}
		if err := s.store.AppendTransition(ctx, t); err != nil && !errors.Is(err, ErrStepTaken) {
			return fmt.Errorf("recover order %s: %w", w.OrderID, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("recover order %s: %w", w.OrderID, err)
	}
	if o.Status != StatusPending {
		return nil
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

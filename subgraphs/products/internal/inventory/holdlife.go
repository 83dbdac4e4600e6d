package inventory

import (
	"context"
	"fmt"
	"time"
)

// DefaultHoldLifetime bounds how long changes can keep one hold going,
// counted from its first set.
const DefaultHoldLifetime = time.Hour

// holdEndGuard is how close to the end of its lifetime a hold stops
// taking units: a set that starts later holds nothing, and a set that
// ends later gives back what it held (see endIfLeaseSwept). It covers the
// clock skew between replicas.
const holdEndGuard = time.Second

// MaxHoldProducts bounds the different products one hold may list over
// its life, since reading a hold reads every product it ever kept.
const MaxHoldProducts = MaxLines

// HoldTimes is when a hold was first set and when its units go back to
// stock unless it is set again.
type HoldTimes struct {
	StartedAt time.Time
	ExpiresAt time.Time
}

// SetHoldLifetime sets how long after its first set a hold may still be
// extended: changes made later no longer hold units, so one shopper
// cannot keep stock from others forever by editing a cart. Call it
// while wiring the service, before it serves.
func (s *Service) SetHoldLifetime(d time.Duration) {
	if d > 0 {
		s.holdLifetime = d
	}
}

// SetClock replaces the service's clock (for tests and simulations that
// move time on by hand); call it before the service serves.
func (s *Service) SetClock(now func() time.Time) {
	if now != nil {
		s.now = now
	}
}

// holdTimes returns a hold's times, starting it now when it was never
// set (or set before starts were recorded).
func (s *Service) holdTimes(ctx context.Context, holdID string, now time.Time) (HoldTimes, error) {
	t, ok, err := s.store.HoldTimes(ctx, holdID)
	if err != nil {
		return HoldTimes{}, err
	}
	if !ok || t.StartedAt.IsZero() {
		t.StartedAt = now
	}
	return t, nil
}

// setEndedHold answers a set of a hold whose lifetime is over: whatever
// it still keeps goes back to stock now (the sweeper would soon), nothing
// new is held, and lines that free stock could not cover are reported as
// a set would, so a cart refuses what checkout could not buy either.
// Products are still listed, so the hold keeps showing their prices.
func (s *Service) setEndedHold(ctx context.Context, holdID string, lines []Line, end time.Time) (Hold, error) {
	if _, err := s.expireHold(ctx, holdID, end); err != nil {
		return Hold{}, fmt.Errorf("set ended hold: %w", err)
	}
	var problems []Problem
	for _, l := range lines {
		if l.Quantity == 0 {
			continue
		}
		p, err := s.listForHold(ctx, holdID, l)
		if err != nil {
			return Hold{}, fmt.Errorf("set ended hold: %w", err)
		}
		if p == nil {
			head, _, err := s.readHead(ctx, l.ProductID)
			if err != nil {
				return Hold{}, fmt.Errorf("set ended hold: %w", err)
			}
			if head.Balance < l.Quantity {
				p = &Problem{Code: ProblemInsufficientStock, ProductID: l.ProductID, Requested: l.Quantity, Available: head.Balance,
					Message: fmt.Sprintf("insufficient stock for product %s: requested %d, available %d", l.ProductID, l.Quantity, head.Balance)}
			}
		}
		if p != nil {
			problems = append(problems, *p)
		}
	}
	h, err := s.GetHold(ctx, holdID)
	if err != nil {
		return Hold{}, err
	}
	h.Problems = problems
	return h, nil
}

// endIfLeaseSwept gives back what a hold keeps when the set that inserted
// lease ends so close to the hold's end that the sweeper of another
// replica may already have dealt with the lease (and deleted it) before
// this set's units landed: those units would otherwise be kept with no
// lease to release them. A lease that ends before the lifetime does lasts
// the TTL, far longer than a set.
func (s *Service) endIfLeaseSwept(ctx context.Context, holdID string, lease Lease, end time.Time) error {
	if lease.ExpiresAt.Before(end) || s.now().Add(holdEndGuard).Before(end) {
		return nil
	}
	_, err := s.expireHold(ctx, holdID, end)
	return err
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

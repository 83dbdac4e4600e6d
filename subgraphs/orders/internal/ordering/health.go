package ordering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// healthParallel bounds the point reads one health check runs at once.
const healthParallel = 8

// Health is the unsettled part of the order work, as the work list shows
// it. Every counter is zero once each step recorded so far is settled:
// its transition taken, its snapshot applied and any release it owes
// acknowledged by products. Until then the stock books cannot balance
// exactly, which is why an audit waits for it.
type Health struct {
	// UnsettledSteps counts the steps on the work list.
	UnsettledSteps int
	// OwedReleases counts the unsettled steps that owe products a release
	// products has not acknowledged yet: stock still held for an order
	// that is REJECTED or CANCELLED.
	OwedReleases int
	// PendingOrders counts the orders on the work list whose first step
	// (CONFIRMED or REJECTED) is not taken yet.
	PendingOrders int
	// Oldest is when the oldest unsettled step was recorded; zero when
	// nothing is unsettled.
	Oldest time.Time
}

// OldestAge returns how long the oldest unsettled step has waited at now,
// and false when nothing is unsettled.
func (h Health) OldestAge(now time.Time) (time.Duration, bool) {
	if h.Oldest.IsZero() {
		return 0, false
	}
	return max(now.Sub(h.Oldest), 0), true
}

// Health reports the unsettled order work to an admin. It reads the work
// list whole (it holds only the steps in flight or left by a failure, so
// it stays small) and then each listed step's transition by point reads:
// its cost follows the unfinished work, never the number of orders.
//
// The counters are a snapshot taken while requests and recovery go on,
// so a step can be settled between the list read and its point read; it
// then counts as unsettled but owes nothing.
func (s *Service) Health(ctx context.Context, c Caller) (Health, error) {
	switch {
	case c.Admin:
	case c.UserID == "":
		return Health{}, ErrAdminKeyRequired
	default:
		return Health{}, ErrForbidden
	}
	items, err := s.store.Work(ctx, 0)
	if err != nil {
		return Health{}, fmt.Errorf("order health: %w", err)
	}
	// A retry interrupted between its insert and its delete leaves two
	// items for one step: count the step once, at its first record.
	type key struct {
		order string
		step  int
	}
	first := map[key]time.Time{}
	var steps []key
	for _, w := range items {
		k := key{w.OrderID, w.Step}
		at, seen := first[k]
		if !seen {
			steps = append(steps, k)
		}
		if !seen || w.At.Before(at) {
			first[k] = w.At
		}
	}
	h := Health{UnsettledSteps: len(steps)}
	for _, at := range first {
		if h.Oldest.IsZero() || at.Before(h.Oldest) {
			h.Oldest = at
		}
	}
	owed := make([]bool, len(steps))
	pending := make([]bool, len(steps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(healthParallel)
	for i, k := range steps {
		g.Go(func() error {
			t, err := s.store.Transition(gctx, k.order, k.step)
			switch {
			case errors.Is(err, ErrNotFound):
				// A first step not taken yet leaves the order PENDING; a
				// later step never taken owes nothing.
				pending[i] = k.step == StepResolve
				return nil
			case err != nil:
				return err
			}
			owed[i] = t.NeedsRelease && !t.Released
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return Health{}, fmt.Errorf("order health: %w", err)
	}
	for i := range steps {
		if owed[i] {
			h.OwedReleases++
		}
		if pending[i] {
			h.PendingOrders++
		}
	}
	return h, nil
}

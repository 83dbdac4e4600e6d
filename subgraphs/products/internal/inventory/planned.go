package inventory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// planFunc decides the movement an operation needs, given the ledger head
// it will append after. It returns ok=false when nothing needs to move.
// It may read the ledger: entries up to head.Version are exactly the state
// the appended entry follows, because its key (product and version) lets
// the entry in only if no one appended after head meanwhile.
type planFunc func(ctx context.Context, head Movement) (spec moveSpec, ok bool, err error)

// movePlanned appends the movement plan decides, re-planning whenever
// another writer appended first. Stock holds need it: whether a hold
// still keeps units (and how many) depends on the ledger, so the decision
// and the append must rest on the same version. It returns the appended
// (or, for an operation found already done, the existing) entry, and
// whether an entry was appended.
func (s *Service) movePlanned(ctx context.Context, productID string, plan planFunc) (Movement, bool, error) {
	m, appended, err := s.planLocked(ctx, productID, plan)
	if err == nil && appended {
		s.syncSnapshot(ctx, productID, m)
	}
	return m, appended, err
}

func (s *Service) planLocked(ctx context.Context, productID string, plan planFunc) (Movement, bool, error) {
	st := s.locks.lock(productID)
	defer st.unlock()
	// Always the true head: a plan that finds nothing to do must not
	// rest on a remembered head another replica has moved past.
	head, err := s.readHeadLocked(ctx, st, productID)
	if err != nil {
		return Movement{}, false, err
	}
	for attempt := 0; attempt < maxAppendAttempts; attempt++ {
		ms, ok, err := plan(ctx, head)
		if errors.Is(err, errStaleHead) {
			if head, err = s.readHeadLocked(ctx, st, productID); err != nil {
				return Movement{}, false, err
			}
			continue
		}
		if err != nil || !ok {
			return Movement{}, false, err
		}
		m := ms.movement(head, s.now())
		if m.Balance < 0 {
			// A concurrent runner of the same operation may have
			// appended it already (then the plan sees its effect).
			if recorded(ms.kind) {
				if done, found, err := s.findRecorded(ctx, m.OpID()); err != nil || found {
					return done, false, err
				}
			}
			return Movement{}, false, &InsufficientStockError{ProductID: productID, Requested: -ms.delta, Available: head.Balance}
		}
		if m.Balance > input.MaxInt {
			return Movement{}, false, input.Invalid("quantity", "stock of product %s would exceed %d", productID, input.MaxInt)
		}
		if err := s.markDirty(ctx, productID); err != nil {
			return Movement{}, false, err
		}
		err = s.store.AppendMovement(ctx, m)
		if err == nil {
			st.remember(m)
			if err := s.recordOp(ctx, m); err != nil {
				return Movement{}, false, err
			}
			return m, true, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return Movement{}, false, fmt.Errorf("append movement: %w", err)
		}
		// The operation key may be what collided: then it already happened.
		done, ours, err := s.resolveDuplicate(ctx, m)
		if err != nil {
			return Movement{}, false, err
		}
		if ours {
			return done, false, nil
		}
		if attempt > 2 {
			if err := sleep(ctx, time.Duration(rand.IntN(1+min(attempt, 20)))*time.Millisecond); err != nil {
				return Movement{}, false, err
			}
		}
		if head, err = s.readHeadLocked(ctx, st, productID); err != nil {
			return Movement{}, false, err
		}
	}
	return Movement{}, false, fmt.Errorf("append movement to %s: %w", productID, ErrContention)
}

package catalog

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// maxAppendAttempts bounds the duplicate-key retries of one append. Inside
// a process appends are serialized per product, so only other replicas make
// an append lose; a few hundred lost races in a row mean something is wrong.
const maxAppendAttempts = 500

// moveSpec describes one stock movement to append.
type moveSpec struct {
	productID string
	kind      Kind
	// opKey makes the movement idempotent: the order id for reserve and
	// release, a random key otherwise.
	opKey   string
	orderID string
	// delta is the signed change; a reserve fails with
	// InsufficientStockError when the balance cannot cover it.
	delta     int
	unitPrice int
	// holdID and converted describe hold movements and checkouts (see Movement).
	holdID    string
	converted int
}

// move appends one movement to a product's ledger and returns the entry
// and whether it already existed (an idempotent operation done before).
//
// Inside the product's lock it takes the newest head this process knows
// (remembered from its own appends and reads) and inserts the next
// version; the lock is held for that one insert only. Whenever that head
// is not good enough, a fresh view of the ledger is read outside the lock,
// shared with the other callers of the product waiting for one (see
// coalescer), and the view also tells whether the operation already
// happened. A view is needed when:
//   - the process knows no head of the product yet;
//   - the insert hit a unique index: another replica took the version,
//     or the operation was done before (a retry);
//   - the known head cannot cover the movement: a refusal must rest on a
//     head that was true after this call began, never on a remembered one
//     another replica may have moved past (a restock elsewhere).
//
// Once appended, the product's snapshot is brought up to date (by a job
// shared with concurrent appends) before move returns.
func (s *Service) move(ctx context.Context, ms moveSpec) (Movement, bool, error) {
	var ref opRef
	if ms.kind == KindReserve || ms.kind == KindRelease {
		ref = opRef{kind: ms.kind, opKey: ms.opKey}
	}
	// floor: heads at or above this version were true after the call began.
	floor := int64(-1)
	var fresh *Movement
	// taken: a version another writer appended (our insert collided with it).
	var taken int64
	for attempt := 0; attempt < maxAppendAttempts; attempt++ {
		m, res, err := s.appendOnce(ctx, ms, fresh, floor, taken)
		switch res {
		case appended:
			s.syncSnapshot(ctx, ms.productID, m)
			return m, false, nil
		case failed, refused:
			return Movement{}, false, err
		case collided:
			taken = m.Version
			// Back off a little once collisions repeat, so the
			// replicas do not keep colliding.
			if attempt > 2 {
				if err := sleep(ctx, time.Duration(rand.IntN(1+min(attempt, 20)))*time.Millisecond); err != nil {
					return Movement{}, false, err
				}
			}
		case stale:
		}
		v, err := s.views.do(ctx, ms.productID, ref)
		if err != nil {
			return Movement{}, false, fmt.Errorf("append movement: %w", err)
		}
		if done, ok := v.find(ref); ok {
			return done, true, nil
		}
		fresh, floor = &v.head, v.head.Version
	}
	return Movement{}, false, fmt.Errorf("append movement to %s: %w", ms.productID, ErrContention)
}

// opRef names an idempotent operation a ledger view looks for (an empty
// opKey: none).
type opRef struct {
	kind  Kind
	opKey string
}

// ledgerView is a product's ledger head with the entries of the
// operations its readers asked about, read after they asked.
type ledgerView struct {
	head Movement
	ops  []Movement
}

func (v ledgerView) find(ref opRef) (Movement, bool) {
	if ref.opKey == "" {
		return Movement{}, false
	}
	for _, m := range v.ops {
		if m.Kind == ref.kind && m.OpKey == ref.opKey {
			return m, true
		}
	}
	return Movement{}, false
}

// readView is the job of the views coalescer: the head and the entries of
// every operation in refs, read concurrently.
func (s *Service) readView(ctx context.Context, productID string, refs []opRef) (ledgerView, error) {
	var keys []string
	for _, r := range refs {
		if r.opKey != "" && !slices.Contains(keys, r.opKey) {
			keys = append(keys, r.opKey)
		}
	}
	var v ledgerView
	var oerr error
	var wg sync.WaitGroup
	if len(keys) > 0 {
		wg.Go(func() { v.ops, oerr = s.store.OperationMovements(ctx, productID, keys) })
	}
	head, _, herr := s.store.Head(ctx, productID)
	wg.Wait()
	head.ProductID = productID
	v.head = head
	return v, errors.Join(herr, oerr)
}

// appendResult is what one locked append attempt came to.
type appendResult int

const (
	appended appendResult = iota
	failed
	// refused: the head (true after the call began) cannot cover the movement.
	refused
	// collided: another writer took the version.
	collided
	// stale: no head, or one that may be outdated, for a refusal.
	stale
)

// appendOnce makes one append attempt inside the product's lock, after the
// newest of the remembered head and fresh.
func (s *Service) appendOnce(ctx context.Context, ms moveSpec, fresh *Movement, floor, taken int64) (Movement, appendResult, error) {
	st := s.locks.lock(ms.productID)
	defer st.unlock()
	if taken > 0 {
		// The view after the collision showed it was not our
		// operation: the version is taken, so heads before it are
		// outdated for every caller.
		st.taken(ms.productID, taken)
	}
	if fresh != nil {
		st.remember(*fresh)
	}
	head, known := st.head(ms.productID)
	if !known {
		return Movement{}, stale, nil
	}
	balance := head.Balance + ms.delta
	if balance < 0 || balance > MaxInt {
		if floor < 0 || head.Version < floor {
			return Movement{}, stale, nil
		}
		if balance < 0 {
			return Movement{}, refused, &InsufficientStockError{ProductID: ms.productID, Requested: -ms.delta, Available: head.Balance}
		}
		return Movement{}, refused, invalid("quantity", "stock of product %s would exceed %d", ms.productID, MaxInt)
	}
	m := Movement{
		ProductID: ms.productID, Version: head.Version + 1, Kind: ms.kind, Delta: ms.delta, Balance: balance,
		OrderID: ms.orderID, OpKey: ms.opKey, UnitPrice: ms.unitPrice, HoldID: ms.holdID, Converted: ms.converted, CreatedAt: s.now(),
	}
	err := s.store.AppendMovement(ctx, m)
	switch {
	case err == nil:
		st.remember(m)
		return m, appended, nil
	case errors.Is(err, ErrDuplicate):
		// m.Version carries the version that collided.
		return m, collided, nil
	default:
		return Movement{}, failed, fmt.Errorf("append movement: %w", err)
	}
}

// readHead reads the ledger head inside the product's lock and remembers it.
func (s *Service) readHead(ctx context.Context, st stripe, productID string) (Movement, error) {
	head, _, err := s.store.Head(ctx, productID)
	if err != nil {
		return Movement{}, fmt.Errorf("append movement: %w", err)
	}
	head.ProductID = productID
	st.remember(head)
	return head, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("append movement: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}

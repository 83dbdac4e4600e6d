package catalog

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// move appends one movement to a product's ledger: it takes the newest
// entry (remembered by this process, or read) and inserts the next version.
// When the insert hits a unique index it either finds that the operation
// already happened (the idempotency index) or reads the head and tries
// again (the version index: another replica appended). It returns the
// entry and whether it already existed.
func (s *Service) move(ctx context.Context, ms moveSpec) (Movement, bool, error) {
	m, existed, err := s.appendLocked(ctx, ms)
	if err == nil && !existed {
		s.repairSnapshot(ctx, ms.productID)
	}
	return m, existed, err
}

func (s *Service) appendLocked(ctx context.Context, ms moveSpec) (Movement, bool, error) {
	st := s.locks.lock(ms.productID)
	defer st.unlock()
	idempotent := ms.kind == KindReserve || ms.kind == KindRelease
	head, fresh := st.head(ms.productID)
	fresh = !fresh
	if fresh {
		var err error
		if head, err = s.readHead(ctx, st, ms.productID); err != nil {
			return Movement{}, false, err
		}
	}
	for attempt := 0; attempt < maxAppendAttempts; attempt++ {
		balance := head.Balance + ms.delta
		if balance < 0 || balance > MaxInt {
			// Refuse only on the true head, and never an operation
			// that already happened (a retry after a crash).
			if !fresh {
				var err error
				if head, err = s.readHead(ctx, st, ms.productID); err != nil {
					return Movement{}, false, err
				}
				fresh = true
				continue
			}
			if m, ok, err := s.done(ctx, ms, idempotent); err != nil || ok {
				return m, ok, err
			}
			if balance < 0 {
				return Movement{}, false, &InsufficientStockError{ProductID: ms.productID, Requested: -ms.delta, Available: head.Balance}
			}
			return Movement{}, false, invalid("quantity", "stock of product %s would exceed %d", ms.productID, MaxInt)
		}
		m := Movement{
			ProductID: ms.productID, Version: head.Version + 1, Kind: ms.kind, Delta: ms.delta, Balance: balance,
			OrderID: ms.orderID, OpKey: ms.opKey, UnitPrice: ms.unitPrice, HoldID: ms.holdID, Converted: ms.converted, CreatedAt: s.now(),
		}
		err := s.store.AppendMovement(ctx, m)
		if err == nil {
			st.remember(m)
			s.syncSnapshot(ctx, m)
			return m, false, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return Movement{}, false, fmt.Errorf("append movement: %w", err)
		}
		if m, ok, err := s.done(ctx, ms, idempotent); err != nil || ok {
			return m, ok, err
		}
		// Another replica took this version: back off a little once the
		// collisions repeat, so the replicas do not keep colliding.
		if attempt > 2 {
			if err := sleep(ctx, time.Duration(rand.IntN(1+min(attempt, 20)))*time.Millisecond); err != nil {
				return Movement{}, false, err
			}
		}
		if head, err = s.readHead(ctx, st, ms.productID); err != nil {
			return Movement{}, false, err
		}
		fresh = true
	}
	return Movement{}, false, fmt.Errorf("append movement to %s: %w", ms.productID, ErrContention)
}

// readHead reads the ledger head and remembers it.
func (s *Service) readHead(ctx context.Context, st stripe, productID string) (Movement, error) {
	head, _, err := s.store.Head(ctx, productID)
	if err != nil {
		return Movement{}, fmt.Errorf("append movement: %w", err)
	}
	head.ProductID = productID
	st.remember(head)
	return head, nil
}

// done finds an idempotent operation's existing entry.
func (s *Service) done(ctx context.Context, ms moveSpec, idempotent bool) (Movement, bool, error) {
	if !idempotent {
		return Movement{}, false, nil
	}
	m, ok, err := s.store.FindMovement(ctx, ms.productID, ms.kind, ms.opKey)
	if err != nil {
		return Movement{}, false, fmt.Errorf("append movement: %w", err)
	}
	return m, ok, nil
}

// syncSnapshot copies a new ledger head into the product document. It runs
// even if the caller's context ends: the movement has happened.
func (s *Service) syncSnapshot(ctx context.Context, m Movement) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := s.store.SetStock(ctx, m.ProductID, m.Balance, m.Version, m.CreatedAt); err != nil {
		s.log.Warn("stock snapshot not updated; the next movement repairs it", "product", m.ProductID, "version", m.Version, "err", err)
	}
}

// repairSnapshot re-reads the ledger head after a product document write
// and writes it again (a no-op unless it is newer than the stored
// snapshot). On a store whose conditional updates are read-then-write, a
// replica's older snapshot (or a whole-document rewrite) can land after a
// newer one; every writer repairs after writing, so the last writer leaves
// the head in place and the snapshot converges.
func (s *Service) repairSnapshot(ctx context.Context, productID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	head, ok, err := s.store.Head(ctx, productID)
	if err != nil || !ok {
		return
	}
	if _, err := s.store.SetStock(ctx, productID, head.Balance, head.Version, head.CreatedAt); err != nil {
		s.log.Warn("stock snapshot repair failed", "product", productID, "err", err)
	}
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

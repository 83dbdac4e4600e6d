package inventory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// maxAppendAttempts bounds the duplicate-key retries of one append. Inside
// a process appends are serialized per product, so only other replicas make
// an append lose; a few hundred lost races in a row mean something is wrong.
const maxAppendAttempts = 500

// LedgerKey is the `_id` of a product's ledger entry: the product id and
// the version, zero-padded so that keys sort by version. The key itself
// makes (product, version) unique, so two writers appending the same next
// version cannot both win, on a sharded store too.
func LedgerKey(productID string, version int64) string {
	return fmt.Sprintf("%s:%012d", productID, version)
}

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
	// holdLine and held place the movement in its hold line (see Movement).
	holdLine string
	held     int
	// run is the reserving call of a reserve entry (nil otherwise): its
	// attempt must be recorded before the entry is (see prepare).
	run *runner
}

// movement is the ledger entry the spec makes after head.
func (ms moveSpec) movement(head Movement, at time.Time) Movement {
	return Movement{
		ProductID: ms.productID, Version: head.Version + 1, Kind: ms.kind, Delta: ms.delta, Balance: head.Balance + ms.delta,
		OrderID: ms.orderID, OpKey: ms.opKey, UnitPrice: ms.unitPrice, HoldID: ms.holdID, Converted: ms.converted,
		HoldLine: ms.holdLine, Held: ms.held, CreatedAt: at,
	}
}

// recorded reports whether entries of kind may be retried under the same
// operation key (an order's reserves and releases, keyed by the order id,
// and restocks, which may carry an idempotency key): each is recorded under
// its OpID as well (see recordOp), so that retries, settlements and
// checkouts find it by `_id`.
func recorded(kind Kind) bool {
	return kind == KindReserve || kind == KindRelease || kind == KindRestock
}

// move appends one movement to a product's ledger and returns the entry
// and whether it already existed (an idempotent operation done before).
//
// Inside the product's lock it takes the newest head this process knows
// (remembered from its own appends and reads) and inserts the next
// version; the lock is held for that one insert only. Whenever that head
// is not good enough, a fresh head is read outside the lock, shared with
// the other callers of the product waiting for one (see coalescer). A
// fresh head is needed when:
//   - the process knows no head of the product yet;
//   - the insert hit a unique index and a point read of the version shows
//     another operation took it (another replica appended);
//   - the known head cannot cover the movement: a refusal must rest on a
//     head that was true after this call began, never on a remembered one
//     another replica may have moved past (a restock elsewhere).
//
// An operation done before (a retry) is found by `_id`: when the insert
// collides on the operation's key, or when a refused reserve or release
// finds its record (see recordOp).
//
// Once appended, the product's stock document is brought up to date (by a
// job shared with concurrent appends) before move returns.
func (s *Service) move(ctx context.Context, ms moveSpec) (Movement, bool, error) {
	// floor: heads at or above this version were true after the call began.
	floor := int64(-1)
	var fresh *Movement
	// taken: a version another writer appended (our insert collided with it).
	var taken int64
	for attempt := 0; attempt < maxAppendAttempts; attempt++ {
		m, res, err := s.appendOnce(ctx, ms, fresh, floor, taken)
		switch res {
		case appended:
			err := s.recordOp(ctx, m)
			s.unrecorded.Delete(m.OpID())
			if err != nil {
				return Movement{}, false, err
			}
			s.syncSnapshot(ctx, ms.productID, m)
			return m, false, nil
		case failed:
			return Movement{}, false, err
		case unprepared:
			if err := s.prepare(ctx, ms.run); err != nil {
				return Movement{}, false, err
			}
			continue
		case refused:
			if recorded(ms.kind) {
				done, ok, ferr := s.findRecorded(ctx, m.OpID())
				if ferr != nil {
					return Movement{}, false, ferr
				}
				if ok {
					return done, true, nil
				}
			}
			return Movement{}, false, err
		case collided:
			done, ours, err := s.resolveDuplicate(ctx, m)
			if err != nil {
				return Movement{}, false, err
			}
			if ours {
				return done, true, nil
			}
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
		head, err := s.views.do(ctx, ms.productID, struct{}{})
		if err != nil {
			return Movement{}, false, fmt.Errorf("append movement: %w", err)
		}
		fresh, floor = &head, head.Version
	}
	return Movement{}, false, fmt.Errorf("append movement to %s: %w", ms.productID, ErrContention)
}

// appendResult is what one locked append attempt came to.
type appendResult int

const (
	appended appendResult = iota
	failed
	// refused: the head (true after the call began) cannot cover the movement.
	refused
	// collided: the insert hit a unique index (see resolveDuplicate).
	collided
	// stale: no head, or one that may be outdated, for a refusal.
	stale
	// unprepared: the movement would be appended, but its runner has
	// not recorded its attempt yet.
	unprepared
)

// appendOnce makes one append attempt inside the product's lock, after the
// newest of the remembered head and fresh. A refused or collided attempt
// returns the movement it tried.
func (s *Service) appendOnce(ctx context.Context, ms moveSpec, fresh *Movement, floor, taken int64) (Movement, appendResult, error) {
	st := s.locks.lock(ms.productID)
	defer st.unlock()
	if taken > 0 {
		// The collision was not our operation: the version is taken,
		// so heads before it are outdated for every caller.
		st.taken(ms.productID, taken)
	}
	if fresh != nil {
		st.remember(*fresh)
	}
	head, known := st.head(ms.productID)
	if !known {
		return Movement{}, stale, nil
	}
	m := ms.movement(head, s.now())
	if m.Balance < 0 || m.Balance > input.MaxInt {
		if floor < 0 || head.Version < floor {
			return Movement{}, stale, nil
		}
		if m.Balance < 0 {
			return m, refused, &InsufficientStockError{ProductID: ms.productID, Requested: -ms.delta, Available: head.Balance}
		}
		return m, refused, input.Invalid("quantity", "stock of product %s would exceed %d", ms.productID, input.MaxInt)
	}
	if ms.run != nil && ms.run.attempt == 0 {
		return Movement{}, unprepared, nil
	}
	if err := s.markDirty(ctx, ms.productID); err != nil {
		return Movement{}, failed, err
	}
	err := s.store.AppendMovement(ctx, m)
	switch {
	case err == nil:
		st.remember(m)
		if recorded(m.Kind) {
			// Until its record is written (outside the lock), the
			// next caller of this product finds it here.
			s.unrecorded.Store(m.OpID(), m)
		}
		return m, appended, nil
	case errors.Is(err, ErrDuplicate):
		return m, collided, nil
	default:
		return Movement{}, failed, fmt.Errorf("append movement: %w", err)
	}
}

// resolveDuplicate tells apart the causes of an insert of m that hit a
// unique index, with a point read of m's version: when that version holds
// m's operation, the operation is done (ours reports it); when it holds
// another operation, the version is taken and the caller reads a fresh
// head. When the version is free, one of m's own unique keys collided:
//   - its operation was done before at another version (a reserve or
//     release of an order), found by its record;
//   - its hold line position is taken (see holdLineKey): the caller
//     re-plans, reading the line again.
//
// Either is normally known from a record; when a crash came between an
// entry and its record, the entry is found through the unique index (a
// query, but only on this rare path) and its record is written.
func (s *Service) resolveDuplicate(ctx context.Context, m Movement) (Movement, bool, error) {
	e, ok, err := s.store.Movement(ctx, m.ProductID, m.Version)
	if err != nil {
		return Movement{}, false, fmt.Errorf("append movement: %w", err)
	}
	if ok {
		return e, e.OpID() == m.OpID(), nil
	}
	if recorded(m.Kind) {
		if done, ok, err := s.findRecorded(ctx, m.OpID()); err != nil || ok {
			return done, ok, err
		}
	}
	if m.HoldLine != "" {
		if _, ok, err := s.store.Op(ctx, m.HoldLine); err != nil || ok {
			return Movement{}, false, wrapErr("read hold line", err)
		}
	}
	if recorded(m.Kind) {
		if done, ok, err := s.findDone(ctx, m); err != nil || ok {
			return done, ok, err
		}
	}
	if m.HoldLine != "" {
		taken, ok, err := s.store.MovementByHoldLine(ctx, m.HoldLine)
		if err != nil {
			return Movement{}, false, wrapErr("find hold line", err)
		}
		if ok {
			if err := s.recordOp(ctx, taken); err != nil {
				return Movement{}, false, err
			}
		}
	}
	return Movement{}, false, nil
}

// findDone finds the entry of m's operation, done before: by its record,
// or, when a crash came between the entry and its record, by the unique
// index on the operation (a query, but only on this rare path), after
// which the record is written.
func (s *Service) findDone(ctx context.Context, m Movement) (Movement, bool, error) {
	if done, ok, err := s.findRecorded(ctx, m.OpID()); err != nil || ok {
		return done, ok, err
	}
	done, ok, err := s.store.MovementByOp(ctx, m.OpID())
	if err != nil || !ok {
		return Movement{}, false, wrapErr("find operation", err)
	}
	if err := s.recordOp(ctx, done); err != nil {
		return Movement{}, false, err
	}
	return done, true, nil
}

// recordOp records copies of a ledger entry that later calls read by
// `_id` (insert-only, so a repeated record changes nothing): an order's
// reserve or release entry, or a restock, under its OpID (the entry is
// keyed by version, which a retry or a release does not know), and an
// entry of a hold line under its position.
func (s *Service) recordOp(ctx context.Context, m Movement) error {
	var keys []string
	if recorded(m.Kind) {
		keys = append(keys, m.OpID())
	}
	if m.HoldLine != "" {
		keys = append(keys, m.HoldLine)
	}
	for _, k := range keys {
		if err := s.store.InsertOp(ctx, k, m); err != nil && !errors.Is(err, ErrDuplicate) {
			return fmt.Errorf("record operation: %w", err)
		}
	}
	return nil
}

// findRecorded reads the record of an operation (false when none). An
// entry this process appended and is still recording counts too: a
// concurrent runner of the same order must not miss it.
func (s *Service) findRecorded(ctx context.Context, opID string) (Movement, bool, error) {
	if m, ok := s.unrecorded.Load(opID); ok {
		return m.(Movement), true, nil
	}
	m, ok, err := s.store.Op(ctx, opID)
	if err != nil {
		return Movement{}, false, fmt.Errorf("find operation: %w", err)
	}
	return m, ok, nil
}

// readHead reads a product's ledger head without scanning: the stock
// document names the version it mirrors, and the entries after it (if the
// snapshot lags) are read by `_id`, version by version, until one is
// missing. It returns the head and the version the stock document shows.
// The stock document is only a hint: the probe is what makes the head true.
func (s *Service) readHead(ctx context.Context, productID string) (Movement, int64, error) {
	st, err := s.store.Stock(ctx, productID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Movement{}, 0, fmt.Errorf("ledger head: %w", err)
	}
	head := Movement{ProductID: productID, Version: st.Version, Balance: st.Quantity, CreatedAt: st.UpdatedAt}
	for {
		m, ok, err := s.store.Movement(ctx, productID, head.Version+1)
		if err != nil {
			return Movement{}, 0, fmt.Errorf("ledger head: %w", err)
		}
		if !ok {
			return head, st.Version, nil
		}
		head = m
	}
}

// readHeadLocked reads the ledger head inside the product's lock and remembers it.
func (s *Service) readHeadLocked(ctx context.Context, st stripe, productID string) (Movement, error) {
	head, _, err := s.readHead(ctx, productID)
	if err != nil {
		return Movement{}, fmt.Errorf("append movement: %w", err)
	}
	st.remember(head)
	return head, nil
}

func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
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

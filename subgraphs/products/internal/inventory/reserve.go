package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// Reserve reserves every line of an order or none, idempotently by order id.
//
// The decision is an insert of the reservation record under the order id
// (unique), so whichever runner inserts first decides and every retry
// returns that first answer. Before its first ledger entry, a runner
// records an attempt naming the order's products (see Attempt), then
// reads the decision again: a decision made before the attempt was
// recorded stands, and one made after it sees the attempt, so whoever
// settles the order knows every product any runner may have reserved. (A
// runner refused on its first line reserves nothing and records nothing.)
// Lines are reserved one by one (each a ledger append, idempotent by the
// order and product); when a line fails, the runner records REJECTED with
// the lines it reserved and releases them. A runner that finds a
// non-RESERVED (or released) decision releases its lines too, so
// concurrent retries and crash recovery never leave part of an order
// reserved.
//
// Bad input returns an error wrapping input.ErrInvalid and decides nothing. A
// store failure returns an error and decides nothing either: the lines
// reserved so far stay reserved until a retry completes the order, a
// release (or the OrderCancelled consumer) gives them back, or the
// reconciler settles the attempt (see ReconcileReservations).
//
// The work runs detached from ctx's cancellation, within its own bound
// (see SetReservationBounds): a client that gives up does not stop a
// runner between two writes, so a started reservation reaches a decision
// unless the bound passes first, and the reconciler's bound is longer.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []Line) (Reservation, error) {
	return s.ReserveHeld(ctx, orderID, "", lines)
}

// ReserveHeld is Reserve for a checkout: each line first takes over the
// units that hold holdID keeps for its product (in the same ledger entry,
// so the units never become free in between), and only the units the hold
// lacks come from free stock. An empty holdID is a plain Reserve.
func (s *Service) ReserveHeld(ctx context.Context, orderID, holdID string, lines []Line) (Reservation, error) {
	if err := validOrderID(orderID); err != nil {
		return Reservation{}, err
	}
	if holdID != "" {
		if err := validHoldID(holdID); err != nil {
			return Reservation{}, err
		}
	}
	norm, err := normalizeLines(lines)
	if err != nil {
		return Reservation{}, err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.runTimeout)
	defer cancel()
	if r, err := s.store.Reservation(ctx, orderID); err == nil {
		return s.settle(ctx, r, nil)
	} else if !errors.Is(err, ErrNotFound) {
		return Reservation{}, fmt.Errorf("reserve: %w", err)
	}
	run := &runner{orderID: orderID}
	for _, l := range norm {
		run.products = append(run.products, l.ProductID)
	}
	r, err := s.runLines(ctx, run, holdID, norm)
	var decided *decidedError
	if errors.As(err, &decided) {
		// Decided while the attempt was being recorded: nothing of
		// ours to reserve or give back.
		return s.closeAttempt(ctx, run)(s.finish(ctx, decided.r, run, false))
	}
	if err != nil {
		return Reservation{}, fmt.Errorf("reserve: %w", err)
	}
	ours := true
	if err := s.store.InsertReservation(ctx, r); err != nil {
		if !errors.Is(err, ErrDuplicate) {
			return Reservation{}, fmt.Errorf("reserve: record decision: %w", err)
		}
		// Someone decided first (a concurrent retry or a release): theirs stands.
		if r, err = s.store.Reservation(ctx, orderID); err != nil {
			return Reservation{}, fmt.Errorf("reserve: read decision: %w", err)
		}
		ours = false
	}
	return s.closeAttempt(ctx, run)(s.finish(ctx, r, run, ours))
}

// closeAttempt returns a function that passes finish's result through and,
// when finish succeeded, takes the runner's attempt off the undecided list:
// its lines are dealt with. A failure to do so is only logged: the
// reconciler finds the attempt settled and takes it off later.
func (s *Service) closeAttempt(ctx context.Context, run *runner) func(Reservation, error) (Reservation, error) {
	return func(r Reservation, err error) (Reservation, error) {
		if err != nil || run.attempt == 0 {
			return r, err
		}
		if derr := s.store.DeletePending(ctx, run.orderID, run.attempt); derr != nil {
			s.log.Warn("settled attempt still listed; the reconciler takes it off", "order", run.orderID, "attempt", run.attempt, "err", derr)
		}
		return r, nil
	}
}

// runLines reserves the lines in order and returns the decision they
// make: RESERVED with every line, or REJECTED at the first line that
// fails, naming the lines reserved before it.
func (s *Service) runLines(ctx context.Context, run *runner, holdID string, lines []Line) (Reservation, error) {
	if holdID != "" {
		// A checkout plans under the product's lock: record the
		// attempt first rather than there.
		if err := s.prepare(ctx, run); err != nil {
			return Reservation{}, err
		}
	}
	now := s.now()
	var reserved []ReservedLine
	for _, l := range lines {
		rl, problem, err := s.reserveLine(ctx, run, holdID, l)
		if err != nil {
			return Reservation{}, err
		}
		if problem != nil {
			return Reservation{OrderID: run.orderID, Status: StatusRejected, Problem: problem, Reserved: reserved,
				DecidedBy: run.attempt, CreatedAt: now}, nil
		}
		run.own = append(run.own, rl)
		reserved = append(reserved, rl)
	}
	return Reservation{OrderID: run.orderID, Status: StatusReserved, Lines: reserved, DecidedBy: run.attempt, CreatedAt: now}, nil
}

// runner is what one reserving call knows: its order and products, its
// attempt (0 until recorded) and the lines it reserved (or found reserved).
type runner struct {
	orderID  string
	products []string
	attempt  int
	own      []ReservedLine
}

// decidedError stops a runner whose attempt found the order decided.
type decidedError struct{ r Reservation }

func (e *decidedError) Error() string { return "order " + e.r.OrderID + " decided meanwhile" }

// prepare records the runner's attempt (once), under the next free
// number, and lists it as undecided (see Storer.InsertPending), then reads
// the decision again: a decision made meanwhile stops the runner with a
// decidedError before it reserves anything. The attempt names the
// products whose entries a settlement must look for; the listing is what
// lets the reconciler find a runner that never finished without reading
// every attempt. A crash between the two leaves an attempt that reserved
// nothing.
func (s *Service) prepare(ctx context.Context, run *runner) error {
	if run.attempt > 0 {
		return nil
	}
	a := Attempt{OrderID: run.orderID, Products: run.products, CreatedAt: s.now()}
	for a.N = 1; ; a.N++ {
		err := s.store.InsertAttempt(ctx, a)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrDuplicate) {
			return fmt.Errorf("record attempt: %w", err)
		}
	}
	run.attempt = a.N
	if err := s.store.InsertPending(ctx, a); err != nil {
		return fmt.Errorf("record attempt: %w", err)
	}
	r, err := s.store.Reservation(ctx, run.orderID)
	if err == nil {
		return &decidedError{r: r}
	}
	if !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("record attempt: %w", err)
	}
	return nil
}

// finish ends a runner's call once the order is decided: by itself (ours)
// or by another. A runner of a RESERVED order decided by another gives
// back the lines the decision does not name (a retry with other lines);
// otherwise the decision is settled with the runner's lines. Either way
// the runner's attempt is then done (see settle).
func (s *Service) finish(ctx context.Context, r Reservation, run *runner, ours bool) (Reservation, error) {
	if ours {
		if r.Status == StatusRejected && len(r.Reserved) == 0 {
			// Nothing of ours to give back. Runners that reserved
			// lines meanwhile read this decision and give theirs
			// back; the release that follows a rejection settles
			// the rest.
			return r, nil
		}
		// Our own decision names our lines.
		return s.settle(ctx, r, nil)
	}
	if run.attempt == 0 {
		// Reserved nothing: settle as any other caller.
		return s.settle(ctx, r, nil)
	}
	if r.Status == StatusReserved && !r.Released {
		named := map[string]bool{}
		for _, l := range r.Lines {
			named[l.ProductID] = true
		}
		for _, l := range run.own {
			if !named[l.ProductID] {
				if err := s.releaseLine(ctx, r.OrderID, l.ProductID, l.Quantity); err != nil {
					return Reservation{}, fmt.Errorf("reserve: %w", err)
				}
			}
		}
		if err := s.markDone(ctx, r.OrderID, run.attempt); err != nil {
			return Reservation{}, fmt.Errorf("reserve: %w", err)
		}
		return r, nil
	}
	return s.settle(ctx, r, run)
}

// reserveLine appends the reserve entry of one line, or explains why not.
func (s *Service) reserveLine(ctx context.Context, run *runner, holdID string, l Line) (ReservedLine, *Problem, error) {
	p, err := s.products.ProductData(ctx, l.ProductID)
	if errors.Is(err, catalog.ErrNotFound) || (err == nil && p.Deleted()) {
		return ReservedLine{}, &Problem{
			Code: ProblemNotFound, ProductID: l.ProductID, Requested: l.Quantity,
			Message: fmt.Sprintf("product %s does not exist", l.ProductID),
		}, nil
	}
	if err != nil {
		return ReservedLine{}, nil, err
	}
	var m Movement
	if holdID == "" {
		m, _, err = s.move(ctx, moveSpec{productID: l.ProductID, kind: KindReserve, opKey: run.orderID, orderID: run.orderID,
			delta: -l.Quantity, unitPrice: p.Price, run: run})
	} else {
		m, err = s.convertLine(ctx, run, holdID, l, p.Price)
	}
	var short *InsufficientStockError
	if errors.As(err, &short) {
		return ReservedLine{}, &Problem{
			Code: ProblemInsufficientStock, ProductID: l.ProductID, Requested: l.Quantity, Available: short.Available,
			Message: fmt.Sprintf("insufficient stock for %q (%s): requested %d, available %d", p.Name, l.ProductID, l.Quantity, short.Available),
		}, nil
	}
	if err != nil {
		return ReservedLine{}, nil, err
	}
	return ReservedLine{ProductID: l.ProductID, Quantity: m.Reserved(), UnitPrice: m.UnitPrice, Version: m.Version}, nil, nil
}

// Release gives back the stock of an order's reservation, idempotently. An
// order with no decision yet is recorded as released, so a reservation that
// is still running (or retried later) ends up released too: its runner
// reads the decision and gives its lines back, and the reconciler settles
// a runner that never finished. Like Reserve, it runs detached from ctx's
// cancellation, within its own bound.
func (s *Service) Release(ctx context.Context, orderID string) (Reservation, error) {
	if err := validOrderID(orderID); err != nil {
		return Reservation{}, err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.runTimeout)
	defer cancel()
	r, err := s.store.Reservation(ctx, orderID)
	switch {
	case errors.Is(err, ErrNotFound):
		now := s.now()
		r = Reservation{OrderID: orderID, Status: StatusReleased, CreatedAt: now, Released: true, ReleasedAt: &now}
		if err := s.store.InsertReservation(ctx, r); err != nil && !errors.Is(err, ErrDuplicate) {
			return Reservation{}, fmt.Errorf("release: record: %w", err)
		}
		if r, err = s.store.Reservation(ctx, orderID); err != nil {
			return Reservation{}, fmt.Errorf("release: %w", err)
		}
		if !r.Released {
			if err := s.store.MarkReleased(ctx, orderID, now); err != nil {
				return Reservation{}, fmt.Errorf("release: %w", err)
			}
			r.Released, r.ReleasedAt = true, &now
		}
	case err != nil:
		return Reservation{}, fmt.Errorf("release: %w", err)
	case !r.Released:
		now := s.now()
		if err := s.store.MarkReleased(ctx, orderID, now); err != nil {
			return Reservation{}, fmt.Errorf("release: %w", err)
		}
		r.Released, r.ReleasedAt = true, &now
	}
	return s.settle(ctx, r, nil)
}

// GetReservation returns an order's reservation, or ErrNotFound.
func (s *Service) GetReservation(ctx context.Context, orderID string) (Reservation, error) {
	if err := validOrderID(orderID); err != nil {
		return Reservation{}, err
	}
	r, err := s.store.Reservation(ctx, orderID)
	if err != nil {
		return Reservation{}, fmt.Errorf("get reservation: %w", err)
	}
	return r, nil
}

// settle makes the ledger agree with a decision: unless the order is
// RESERVED and not released, every reserve entry of the order gets its
// release entry. Release entries are idempotent by order and product, so
// settling twice (or concurrently) gives stock back once.
//
// Every reserve entry was made by a runner that recorded an attempt first,
// and is found by `_id` alone:
//   - the lines of a runner still in its call (run) are given back by it;
//   - the lines of the deciding runner are named by the decision;
//   - a runner that saw the decision marked its attempt done once its own
//     lines were dealt with;
//   - for any other attempt (a runner that failed, crashed or is still
//     running), each of its products' reserve entry is found by its record
//     (see recordOp), or, when the record is missing (a crash between the
//     entry and its record), through the unique index on the operation:
//     a query, but only on this path. A product reserved and released is
//     done for good (an order reserves a product at most once).
//
// Once every attempt is accounted for, the order is marked settled, and
// later calls (the consumer of OrderCancelled after a synchronous release,
// for example) stop there. A runner whose attempt is recorded later reads
// the decision and reserves nothing.
func (s *Service) settle(ctx context.Context, r Reservation, run *runner) (Reservation, error) {
	if r.Status == StatusReserved && !r.Released {
		return r, nil
	}
	given := map[string]bool{}
	if run != nil {
		for _, l := range run.own {
			if err := s.releaseLine(ctx, r.OrderID, l.ProductID, l.Quantity); err != nil {
				return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
			}
			given[l.ProductID] = true
		}
		if err := s.markDone(ctx, r.OrderID, run.attempt); err != nil {
			return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
		}
	}
	if done, err := s.store.HasMark(ctx, settledKey(r.OrderID)); err != nil {
		return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
	} else if done {
		return r, nil
	}
	for _, l := range slices.Concat(r.Reserved, r.Lines) {
		if given[l.ProductID] {
			continue
		}
		if err := s.releaseLine(ctx, r.OrderID, l.ProductID, l.Quantity); err != nil {
			return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
		}
		given[l.ProductID] = true
	}
	all := true
	for n := 1; ; n++ {
		a, ok, err := s.store.Attempt(ctx, r.OrderID, n)
		if err != nil {
			return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
		}
		if !ok {
			break
		}
		if n == r.DecidedBy || (run != nil && n == run.attempt) {
			continue
		}
		if done, err := s.store.HasMark(ctx, doneKey(r.OrderID, n)); err != nil {
			return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
		} else if done {
			continue
		}
		for _, id := range a.Products {
			if given[id] {
				continue
			}
			m, ok, err := s.findDone(ctx, Movement{Kind: KindReserve, OpKey: r.OrderID, ProductID: id})
			if err != nil {
				return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
			}
			if !ok {
				// Its runner may still reserve it (and then give it
				// back itself), unless it failed or crashed: either
				// way a later call must look again.
				all = false
				continue
			}
			if err := s.releaseLine(ctx, r.OrderID, id, m.Reserved()); err != nil {
				return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
			}
			given[id] = true
		}
	}
	if all {
		if err := s.store.InsertMark(ctx, settledKey(r.OrderID)); err != nil {
			return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
		}
	}
	return r, nil
}

// releaseLine appends the release entry of one reserved line. A reserve
// entry that converted a hold gives back every unit of the order, the
// converted ones included.
func (s *Service) releaseLine(ctx context.Context, orderID, productID string, quantity int) error {
	if quantity <= 0 {
		// A closed line (see closeLine): nothing to give back.
		return nil
	}
	spec := moveSpec{productID: productID, kind: KindRelease, opKey: orderID, orderID: orderID, delta: quantity}
	if _, _, err := s.move(ctx, spec); err != nil {
		return fmt.Errorf("release %s: %w", productID, err)
	}
	return nil
}

// markDone records that a runner's attempt is done: its lines were dealt
// with according to the decision.
func (s *Service) markDone(ctx context.Context, orderID string, attempt int) error {
	if err := s.store.InsertMark(ctx, doneKey(orderID, attempt)); err != nil {
		return fmt.Errorf("mark attempt done: %w", err)
	}
	return nil
}

func doneKey(orderID string, attempt int) string {
	return orderID + "#" + strconv.Itoa(attempt) + "#done"
}

func settledKey(orderID string) string { return orderID + "#settled" }

package catalog

import (
	"context"
	"errors"
	"fmt"
)

// Reserve reserves every line of an order or none, idempotently by order id.
//
// The decision is an insert of the reservation record under the order id
// (unique), so whichever runner inserts first decides and every retry
// returns that first answer. Lines are reserved one by one (each a ledger
// append, idempotent by (orderId, productId, reserve)); when a line fails,
// the runner tries to record REJECTED and then releases the lines it
// reserved. A runner that finds a non-RESERVED (or released) decision
// releases every reserved line of the order too, so concurrent retries and
// crash recovery never leave part of an order reserved.
//
// Bad input returns an error wrapping ErrInvalid and decides nothing. A
// store failure returns an error and decides nothing either: the lines
// reserved so far stay reserved until a retry completes the order or a
// release (or the OrderCancelled consumer) gives them back.
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
	if r, err := s.store.Reservation(ctx, orderID); err == nil {
		return s.settle(ctx, r)
	} else if !errors.Is(err, ErrNotFound) {
		return Reservation{}, fmt.Errorf("reserve: %w", err)
	}

	decision := Reservation{OrderID: orderID, Status: StatusReserved, CreatedAt: s.now()}
	reservedAny := false
	for _, l := range norm {
		rl, problem, err := s.reserveLine(ctx, orderID, holdID, l)
		if err != nil {
			return Reservation{}, fmt.Errorf("reserve: %w", err)
		}
		if problem != nil {
			decision = Reservation{OrderID: orderID, Status: StatusRejected, Problem: problem, CreatedAt: decision.CreatedAt}
			break
		}
		decision.Lines = append(decision.Lines, rl)
		reservedAny = true
	}
	if err := s.store.InsertReservation(ctx, decision); err != nil {
		if !errors.Is(err, ErrDuplicate) {
			return Reservation{}, fmt.Errorf("reserve: record decision: %w", err)
		}
		// Someone decided first (a concurrent retry or a release): theirs stands.
		if decision, err = s.store.Reservation(ctx, orderID); err != nil {
			return Reservation{}, fmt.Errorf("reserve: read decision: %w", err)
		}
	} else if !reservedAny {
		// Our own rejection with nothing reserved: nothing to give back
		// here. A concurrent runner that did reserve lines reads this
		// decision and settles them itself.
		return decision, nil
	}
	return s.settle(ctx, decision)
}

// reserveLine appends the reserve entry of one line, or explains why not.
func (s *Service) reserveLine(ctx context.Context, orderID, holdID string, l Line) (ReservedLine, *Problem, error) {
	p, err := s.store.ProductData(ctx, l.ProductID)
	if errors.Is(err, ErrNotFound) || (err == nil && p.Deleted()) {
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
		m, _, err = s.move(ctx, moveSpec{productID: l.ProductID, kind: KindReserve, opKey: orderID, orderID: orderID, delta: -l.Quantity, unitPrice: p.Price})
	} else {
		m, err = s.convertLine(ctx, orderID, holdID, l, p.Price)
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
	return ReservedLine{ProductID: l.ProductID, Quantity: m.Reserved(), UnitPrice: m.UnitPrice}, nil, nil
}

// Release gives back the stock of an order's reservation, idempotently. An
// order with no decision yet is recorded as released, so a reservation that
// is still running (or retried later) ends up released too.
func (s *Service) Release(ctx context.Context, orderID string) (Reservation, error) {
	if err := validOrderID(orderID); err != nil {
		return Reservation{}, err
	}
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
	return s.settle(ctx, r)
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
// release entry. Release entries are idempotent by (orderId, productId,
// release), so settling twice (or concurrently) gives stock back once.
func (s *Service) settle(ctx context.Context, r Reservation) (Reservation, error) {
	if r.Status == StatusReserved && !r.Released {
		return r, nil
	}
	ms, err := s.store.OrderMovements(ctx, r.OrderID)
	if err != nil {
		return Reservation{}, fmt.Errorf("settle %s: %w", r.OrderID, err)
	}
	released := map[string]bool{}
	for _, m := range ms {
		if m.Kind == KindRelease {
			released[m.ProductID] = true
		}
	}
	for _, m := range ms {
		if m.Kind != KindReserve || released[m.ProductID] {
			continue
		}
		// A reserve entry that converted a hold gives back every unit
		// of the order, the converted ones included.
		spec := moveSpec{productID: m.ProductID, kind: KindRelease, opKey: r.OrderID, orderID: r.OrderID, delta: m.Reserved()}
		if _, _, err := s.move(ctx, spec); err != nil {
			return Reservation{}, fmt.Errorf("settle %s: release %s: %w", r.OrderID, m.ProductID, err)
		}
	}
	return r, nil
}

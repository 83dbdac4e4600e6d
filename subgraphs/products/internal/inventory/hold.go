package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// DefaultHoldTTL is how long a hold keeps its units after its last change.
const DefaultHoldTTL = 15 * time.Minute

// Hold is the state of a stock hold: the units it keeps per product now
// and when they go back to stock unless the hold is set again.
type Hold struct {
	ID string
	// ExpiresAt is nil for a hold that was never set.
	ExpiresAt *time.Time
	Lines     []HeldLine
	// Problems names the lines of a SetHold that could not be held as asked.
	Problems []Problem
}

// HeldLine is the units a hold keeps of one product, with its price now.
type HeldLine struct {
	ProductID string
	Quantity  int
	UnitPrice int
}

// Lease promises to release a hold's units once ExpiresAt passes, unless
// the hold was extended since. Every SetHold inserts one (under a random
// id) before it moves stock, so every held unit is covered by a lease;
// leases are insert-only (the sweeper deletes those it has dealt with),
// because on FerretDB an update of a shared expiry field could be lost.
// The hold's newest expiry is kept apart as a hint (see Storer.ExtendHold)
// that is read by `_id`.
type Lease struct {
	ID        string
	HoldID    string
	ExpiresAt time.Time
}

// SetHoldTTL sets how long holds last after their last change; call it
// while wiring the service, before it serves.
func (s *Service) SetHoldTTL(d time.Duration) {
	if d > 0 {
		s.holdTTL = d
	}
}

// SetHold sets the number of units hold holdID keeps of each listed
// product (0 releases them) and extends the hold, never beyond its
// lifetime (see SetHoldLifetime); once that is over it holds nothing
// more (see setEndedHold). Quantities are targets, so a retried call
// changes nothing twice. A line that cannot be held as asked keeps its
// previous units and is reported in Hold.Problems.
func (s *Service) SetHold(ctx context.Context, holdID string, lines []Line) (Hold, error) {
	if err := validHoldID(holdID); err != nil {
		return Hold{}, err
	}
	norm, err := normalizeHoldLines(lines)
	if err != nil {
		return Hold{}, err
	}
	now := s.now()
	times, err := s.holdTimes(ctx, holdID, now)
	if err != nil {
		return Hold{}, fmt.Errorf("set hold: %w", err)
	}
	end := times.StartedAt.Add(s.holdLifetime)
	if end.Sub(now) < holdEndGuard {
		return s.setEndedHold(ctx, holdID, norm, end)
	}
	times.ExpiresAt = minTime(now.Add(s.holdTTL), end)
	lease := Lease{ID: randomKey(), HoldID: holdID, ExpiresAt: times.ExpiresAt}
	if err := s.store.InsertLease(ctx, lease); err != nil {
		return Hold{}, fmt.Errorf("set hold: %w", err)
	}
	// After the lease: a crash in between leaves a lease the sweeper
	// finds, while an extension without a lease could keep units forever.
	if err := s.store.ExtendHold(ctx, holdID, times); err != nil {
		return Hold{}, fmt.Errorf("set hold: %w", err)
	}
	var problems []Problem
	for _, l := range norm {
		p, err := s.setHoldLine(ctx, holdID, l)
		if err != nil {
			return Hold{}, fmt.Errorf("set hold: %w", err)
		}
		if p != nil {
			problems = append(problems, *p)
		}
	}
	if err := s.endIfLeaseSwept(ctx, holdID, lease, end); err != nil {
		return Hold{}, fmt.Errorf("set hold: %w", err)
	}
	h, err := s.GetHold(ctx, holdID)
	if err != nil {
		return Hold{}, err
	}
	h.Problems = problems
	return h, nil
}

// setHoldLine moves one product's held units to l.Quantity.
func (s *Service) setHoldLine(ctx context.Context, holdID string, l Line) (*Problem, error) {
	if l.Quantity > 0 {
		if p, err := s.listForHold(ctx, holdID, l); p != nil || err != nil {
			return p, err
		}
	}
	held := 0
	_, _, err := s.movePlanned(ctx, l.ProductID, func(ctx context.Context, head Movement) (moveSpec, bool, error) {
		pos, err := s.holdLineAt(ctx, head, holdID)
		if err != nil {
			return moveSpec{}, false, err
		}
		held = pos.held
		if held == l.Quantity {
			return moveSpec{}, false, nil
		}
		spec := moveSpec{productID: l.ProductID, kind: KindHold, opKey: randomKey(), holdID: holdID, delta: held - l.Quantity,
			holdLine: holdLineKey(holdID, l.ProductID, pos.n+1), held: l.Quantity}
		if l.Quantity < held {
			spec.kind = KindHoldRelease
		}
		return spec, true, nil
	})
	var short *InsufficientStockError
	if errors.As(err, &short) {
		available := held + short.Available
		return &Problem{Code: ProblemInsufficientStock, ProductID: l.ProductID, Requested: l.Quantity, Available: available,
			Message: fmt.Sprintf("insufficient stock for product %s: requested %d, available %d", l.ProductID, l.Quantity, available)}, nil
	}
	return nil, err
}

// listForHold checks that a line's product can be held and lists it
// among the hold's products before the hold keeps any unit of it, so that
// GetHold, ReleaseHold and the sweeper find every line. A product that
// does not exist is a Problem.
func (s *Service) listForHold(ctx context.Context, holdID string, l Line) (*Problem, error) {
	p, err := s.products.ProductData(ctx, l.ProductID)
	if errors.Is(err, catalog.ErrNotFound) || (err == nil && p.Deleted()) {
		return &Problem{Code: ProblemNotFound, ProductID: l.ProductID, Requested: l.Quantity,
			Message: fmt.Sprintf("product %s does not exist", l.ProductID)}, nil
	}
	if err != nil {
		return nil, err
	}
	pos, err := s.holdLine(ctx, holdID, l.ProductID)
	if err != nil {
		return nil, err
	}
	if pos.n == 0 {
		if err := s.listHoldProduct(ctx, holdID, l.ProductID); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// GetHold returns what a hold keeps now, per product it ever kept. Units of an expired hold count
// until the sweeper gives them back (within one sweep interval).
func (s *Service) GetHold(ctx context.Context, holdID string) (Hold, error) {
	if err := validHoldID(holdID); err != nil {
		return Hold{}, err
	}
	h := Hold{ID: holdID}
	if t, ok, err := s.store.HoldTimes(ctx, holdID); err != nil {
		return Hold{}, fmt.Errorf("get hold: %w", err)
	} else if ok {
		h.ExpiresAt = &t.ExpiresAt
	}
	// Every product the hold ever kept is listed, with 0 units once they
	// went back, so a cart can show the price of a line whose hold expired.
	ids, err := s.holdProducts(ctx, holdID)
	if err != nil {
		return Hold{}, fmt.Errorf("get hold: %w", err)
	}
	sort.Strings(ids)
	h.Lines = make([]HeldLine, len(ids))
	err = fanout.Each(ctx, len(ids), fanout.PointReads, func(ctx context.Context, i int) error {
		pos, err := s.holdLine(ctx, holdID, ids[i])
		if err != nil {
			return err
		}
		h.Lines[i] = HeldLine{ProductID: ids[i], Quantity: pos.held}
		p, err := s.products.ProductData(ctx, ids[i])
		if err == nil {
			h.Lines[i].UnitPrice = p.Price
		} else if !errors.Is(err, catalog.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return Hold{}, fmt.Errorf("get hold: %w", err)
	}
	return h, nil
}

// ReleaseHold gives back every unit a hold keeps. It is idempotent.
func (s *Service) ReleaseHold(ctx context.Context, holdID string) (Hold, error) {
	if err := validHoldID(holdID); err != nil {
		return Hold{}, err
	}
	ids, err := s.holdProducts(ctx, holdID)
	if err != nil {
		return Hold{}, fmt.Errorf("release hold: %w", err)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, err := s.setHoldLine(ctx, holdID, Line{ProductID: id}); err != nil {
			return Hold{}, fmt.Errorf("release hold: %w", err)
		}
	}
	return s.GetHold(ctx, holdID)
}

// convertLine appends the reserve entry of a checkout line: it takes over
// the units the hold keeps of the product (at most the line's quantity)
// and takes the rest from free stock, in one entry, which also takes the
// hold line's next position. Idempotent by order and product like every
// reserve.
func (s *Service) convertLine(ctx context.Context, run *runner, holdID string, l Line, price int) (Movement, error) {
	orderID := run.orderID
	op := Movement{Kind: KindReserve, OpKey: orderID, ProductID: l.ProductID}
	if m, ok, err := s.findRecorded(ctx, op.OpID()); err != nil || ok {
		return m, err
	}
	held := 0
	m, _, err := s.movePlanned(ctx, l.ProductID, func(ctx context.Context, head Movement) (moveSpec, bool, error) {
		pos, err := s.holdLineAt(ctx, head, holdID)
		if err != nil {
			return moveSpec{}, false, err
		}
		held = pos.held
		conv := min(held, l.Quantity)
		spec := moveSpec{productID: l.ProductID, kind: KindReserve, opKey: orderID, orderID: orderID, holdID: holdID,
			delta: conv - l.Quantity, converted: conv, unitPrice: price, run: run}
		if conv > 0 {
			spec.holdLine, spec.held = holdLineKey(holdID, l.ProductID, pos.n+1), held-conv
		}
		return spec, true, nil
	})
	var short *InsufficientStockError
	if errors.As(err, &short) {
		return Movement{}, &InsufficientStockError{ProductID: l.ProductID, Requested: l.Quantity, Available: short.Available + min(held, l.Quantity)}
	}
	return m, err
}

// SweepHolds gives back the units of every hold whose newest lease has
// expired, and returns how many units it released. Every replica runs it:
// two sweepers releasing the same hold line both take its next position,
// so the ledger's unique HoldLine lets exactly one release in, and the
// loser re-plans and finds nothing left to release. It reads the leases
// with a query: the lease collection is small (a lease is deleted once
// dealt with), and the sweeper runs in the background, off every order path.
func (s *Service) SweepHolds(ctx context.Context, limit int) (int, error) {
	now := s.now()
	leases, err := s.store.ExpiredLeases(ctx, now, limit)
	if err != nil {
		return 0, fmt.Errorf("sweep holds: %w", err)
	}
	byHold := map[string][]Lease{}
	var order []string
	for _, l := range leases {
		if _, ok := byHold[l.HoldID]; !ok {
			order = append(order, l.HoldID)
		}
		byHold[l.HoldID] = append(byHold[l.HoldID], l)
	}
	released := 0
	var errs []error
	for _, holdID := range order {
		n, err := s.expireHold(ctx, holdID, now)
		released += n
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, l := range byHold[holdID] {
			if err := s.store.DeleteLease(ctx, l.ID); err != nil {
				errs = append(errs, fmt.Errorf("sweep holds: %w", err))
			}
		}
	}
	return released, errors.Join(errs...)
}

// expireHold releases a hold's units unless its newest expiry is still
// ahead. The expiry is checked again before each product's release, but a
// cart change landing between that check and the release can still see
// one product's units go back just as the hold was extended: the cart
// then shows the line as not held, and its next change or checkout holds
// it again. Units are never released twice nor kept without a lease.
func (s *Service) expireHold(ctx context.Context, holdID string, now time.Time) (int, error) {
	if extended, err := s.extended(ctx, holdID, now); err != nil || extended {
		return 0, err
	}
	ids, err := s.holdProducts(ctx, holdID)
	if err != nil {
		return 0, fmt.Errorf("expire hold %s: %w", holdID, err)
	}
	sort.Strings(ids)
	released := 0
	for _, id := range ids {
		m, appended, err := s.movePlanned(ctx, id, func(ctx context.Context, head Movement) (moveSpec, bool, error) {
			if extended, err := s.extended(ctx, holdID, now); err != nil || extended {
				return moveSpec{}, false, err
			}
			pos, err := s.holdLineAt(ctx, head, holdID)
			if err != nil || pos.held <= 0 {
				return moveSpec{}, false, err
			}
			return moveSpec{productID: id, kind: KindHoldRelease, opKey: randomKey(), holdID: holdID, delta: pos.held,
				holdLine: holdLineKey(holdID, id, pos.n+1)}, true, nil
		})
		if err != nil {
			return released, fmt.Errorf("expire hold %s: %w", holdID, err)
		}
		if appended {
			released += m.Delta
			s.log.Info("hold expired", "hold", holdID, "product", id, "units", m.Delta)
		}
	}
	return released, nil
}

// extended reports whether a hold's newest expiry is still ahead.
func (s *Service) extended(ctx context.Context, holdID string, now time.Time) (bool, error) {
	t, ok, err := s.store.HoldTimes(ctx, holdID)
	if err != nil {
		return false, fmt.Errorf("expire hold %s: %w", holdID, err)
	}
	return ok && t.ExpiresAt.After(now), nil
}

func validHoldID(id string) error {
	if id == "" || len(id) > MaxOrderIDLen || !orderIDRe.MatchString(id) {
		return input.Invalid("holdId", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

// normalizeHoldLines validates the lines of a SetHold: distinct products,
// quantities from 0 (release) up, sorted by product id so concurrent sets
// touch products in the same order.
func normalizeHoldLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 {
		return nil, input.Invalid("lines", "must not be empty")
	}
	if len(lines) > MaxLines {
		return nil, input.Invalid("lines", "must have at most %d lines (got %d)", MaxLines, len(lines))
	}
	seen := map[string]bool{}
	out := make([]Line, 0, len(lines))
	for i, l := range lines {
		field := "lines[" + strconv.Itoa(i) + "]"
		id, err := input.ID(field+".productId", l.ProductID)
		if err != nil {
			return nil, err
		}
		if err := input.Count(field+".quantity", l.Quantity, 0); err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, input.Invalid(field+".productId", "product %s appears twice", id)
		}
		seen[id] = true
		out = append(out, Line{ProductID: id, Quantity: l.Quantity})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProductID < out[j].ProductID })
	return out, nil
}

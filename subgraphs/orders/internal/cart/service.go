package cart

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Orders is the order side a checkout needs (the ordering service).
type Orders interface {
	OrderOf(ctx context.Context, id string) (ordering.Order, bool, error)
	PlaceHeld(ctx context.Context, c ordering.Caller, orderID, holdID string, lines []ordering.Line) (ordering.Order, error)
}

// userStripes serializes one user's cart changes inside a process, so two
// tabs of one shopper do not interleave a line's read and write. Between
// replicas a lost line update can only make the cart and its hold
// disagree until the next change; checkout sets the hold to the cart's
// lines again before converting it.
const userStripes = 64

// Service runs the cart use cases.
type Service struct {
	store  Storer
	holds  Holds
	orders Orders
	log    *slog.Logger
	now    func() time.Time
	limits Limits
	locks  [userStripes]sync.Mutex
}

// NewService returns a cart service with the default Limits.
func NewService(store Storer, holds Holds, orders Orders, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, holds: holds, orders: orders, log: log, now: func() time.Time { return time.Now().UTC() },
		limits: Limits{UnitsPerProduct: DefaultUnitsPerProduct, Units: DefaultUnits}}
}

// SetLimits replaces the default limits (values below 1 keep the
// default); call it while wiring the service, before it serves.
func (s *Service) SetLimits(l Limits) {
	if l.UnitsPerProduct > 0 {
		s.limits.UnitsPerProduct = l.UnitsPerProduct
	}
	if l.Units > 0 {
		s.limits.Units = l.Units
	}
}

// holdReads is what products reads to show a hold of n products (its
// times and product list, then each line and price), charged to the
// request's read budget before asking.
func holdReads(n int) int { return 2 + 3*n }

func (s *Service) lock(userID string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID)) //nolint:errcheck // hash writes never fail
	m := &s.locks[h.Sum32()%userStripes]
	m.Lock()
	return m.Unlock
}

// Get returns the caller's cart with what products holds for it now.
func (s *Service) Get(ctx context.Context, c ordering.Caller) (Cart, error) {
	if c.UserID == "" {
		return Cart{}, ErrUnauthenticated
	}
	sess, err := s.session(ctx, c.UserID)
	if err != nil {
		return Cart{}, err
	}
	lines, err := s.store.Lines(ctx, sess.ID)
	if err != nil {
		return Cart{}, fmt.Errorf("get cart: %w", err)
	}
	if len(lines) == 0 {
		return Cart{ID: sess.ID}, nil
	}
	if err := readbudget.Spend(ctx, holdReads(len(lines))); err != nil {
		return Cart{}, fmt.Errorf("get cart: %w", err)
	}
	held, err := s.holds.GetHold(ctx, sess.ID)
	if err != nil {
		return Cart{}, fmt.Errorf("get cart: %w", err)
	}
	// The hold lists every product the cart ever held: products read
	// those beyond today's lines too.
	if extra := len(held.Lines) - len(lines); extra > 0 {
		if err := readbudget.Spend(ctx, holdReads(extra)-holdReads(0)); err != nil {
			return Cart{}, fmt.Errorf("get cart: %w", err)
		}
	}
	return view(sess, lines, held), nil
}

// Add puts quantity more units of a product's variant (empty variantID:
// the default variant) in the caller's cart, held for them at once;
// INSUFFICIENT_STOCK (a *StockError) when products cannot hold them, and
// the cart stays as it was.
func (s *Service) Add(ctx context.Context, c ordering.Caller, productID, variantID string, quantity int) (Cart, error) {
	if quantity < 1 || quantity > ordering.MaxQuantity {
		return Cart{}, &InputError{Msg: fmt.Sprintf("quantity must be between 1 and %d, got %d", ordering.MaxQuantity, quantity), ProductID: productID}
	}
	return s.change(ctx, c, productID, variantID, func(cur int) (int, error) {
		if cur+quantity > ordering.MaxQuantity {
			return 0, &InputError{Msg: fmt.Sprintf("a cart line may have at most %d units, this one would have %d", ordering.MaxQuantity, cur+quantity), ProductID: productID}
		}
		return cur + quantity, nil
	})
}

// Update sets a line's quantity; 0 removes the line.
func (s *Service) Update(ctx context.Context, c ordering.Caller, productID, variantID string, quantity int) (Cart, error) {
	if quantity < 0 || quantity > ordering.MaxQuantity {
		return Cart{}, &InputError{Msg: fmt.Sprintf("quantity must be between 0 and %d, got %d", ordering.MaxQuantity, quantity), ProductID: productID}
	}
	return s.change(ctx, c, productID, variantID, func(int) (int, error) { return quantity, nil })
}

// Remove takes a product's variant out of the cart and gives its held
// units back.
func (s *Service) Remove(ctx context.Context, c ordering.Caller, productID, variantID string) (Cart, error) {
	return s.Update(ctx, c, productID, variantID, 0)
}

// change moves one line to the quantity next computes: the hold first
// (so the cart never shows a line products refused), then the line. Any
// change extends the whole cart's hold.
func (s *Service) change(ctx context.Context, c ordering.Caller, productID, variantID string, next func(cur int) (int, error)) (Cart, error) {
	if c.UserID == "" {
		return Cart{}, ErrUnauthenticated
	}
	oid, err := primitive.ObjectIDFromHex(productID)
	if err != nil {
		return Cart{}, &InputError{Msg: fmt.Sprintf("%q is not a valid product id", productID), ProductID: productID}
	}
	productID = oid.Hex()
	variantID, err = checkVariant(productID, variantID)
	if err != nil {
		return Cart{}, &InputError{Msg: err.Error(), ProductID: productID, Field: "variantId"}
	}
	line := Line{ProductID: productID, VariantID: variantID}
	defer s.lock(c.UserID)()
	sess, err := s.session(ctx, c.UserID)
	if err != nil {
		return Cart{}, err
	}
	lines, err := s.store.Lines(ctx, sess.ID)
	if err != nil {
		return Cart{}, fmt.Errorf("change cart: %w", err)
	}
	cur, idx := 0, -1
	for i, l := range lines {
		if l.Key() == line.Key() {
			cur, idx = l.Quantity, i
		}
	}
	want, err := next(cur)
	if err != nil {
		return Cart{}, err
	}
	if err := s.withinLimits(lines, productID, cur, want); err != nil {
		return Cart{}, err
	}
	if idx < 0 && want > 0 && len(lines) >= ordering.MaxLines {
		return Cart{}, &InputError{Msg: fmt.Sprintf("a cart may have at most %d products", ordering.MaxLines), ProductID: productID}
	}
	// The hold's request must finish even if the client goes away, or the
	// cart and the hold could disagree.
	ctx = context.WithoutCancel(ctx)
	line.Quantity = want
	held, err := s.holds.SetHold(ctx, sess.ID, []Line{line})
	if err != nil {
		return Cart{}, fmt.Errorf("change cart: %w", err)
	}
	if len(held.Problems) > 0 {
		return Cart{}, &StockError{Lines: held.Problems}
	}
	if err := s.store.SetLine(ctx, sess.ID, line, s.now()); err != nil {
		return Cart{}, fmt.Errorf("change cart: %w", err)
	}
	switch {
	case idx >= 0 && want == 0:
		lines = append(lines[:idx], lines[idx+1:]...)
	case idx >= 0:
		lines[idx].Quantity = want
	case want > 0:
		lines = append(lines, line)
	}
	return view(sess, lines, held), nil
}

// withinLimits refuses a change that raises a line from cur to want
// units beyond the cart's limits. Lowering a line is always allowed, so a
// cart over limits lowered since can still shrink. Changes of one user are
// serialized in a process (lock); two replicas changing one user's cart
// at the same moment may each pass the total's check, which leaves the
// cart at most one line's UnitsPerProduct over per extra replica.
func (s *Service) withinLimits(lines []Line, productID string, cur, want int) error {
	if want <= cur {
		return nil
	}
	if want > s.limits.UnitsPerProduct {
		return &LimitError{Limit: LimitUnitsPerProduct, Max: s.limits.UnitsPerProduct, Requested: want, ProductID: productID}
	}
	total := want - cur
	for _, l := range lines {
		total += l.Quantity
	}
	if total > s.limits.Units {
		return &LimitError{Limit: LimitUnits, Max: s.limits.Units, Requested: total, ProductID: productID}
	}
	return nil
}

// session returns the user's open cart session, opening the first one or
// the next one after a checkout. A session whose checkout was rejected
// hands its lines to the next session, so the shopper keeps their cart.
func (s *Service) session(ctx context.Context, userID string) (Session, error) {
	for attempt := 0; attempt < 5; attempt++ {
		cur, ok, err := s.store.LatestSession(ctx, userID)
		if err != nil {
			return Session{}, fmt.Errorf("cart session: %w", err)
		}
		var done ordering.Order
		if ok {
			o, found, err := s.orders.OrderOf(ctx, cur.ID)
			if err != nil {
				return Session{}, fmt.Errorf("cart session: %w", err)
			}
			if !found {
				return cur, nil
			}
			done = o
		}
		next := Session{ID: primitive.NewObjectID().Hex(), UserID: userID, Seq: cur.Seq + 1, CreatedAt: s.now()}
		// Opening a session and carrying lines over is a write: it must
		// not stop halfway for want of read budget.
		wctx := readbudget.Without(ctx)
		if err := s.store.InsertSession(wctx, next); errors.Is(err, ErrDuplicate) {
			continue // another request opened it: use theirs
		} else if err != nil {
			return Session{}, fmt.Errorf("cart session: %w", err)
		}
		if ok && done.Status == ordering.StatusRejected {
			if err := s.carryOver(wctx, cur, next); err != nil {
				return Session{}, err
			}
		}
		return next, nil
	}
	return Session{}, fmt.Errorf("cart session: %w", ErrDuplicate)
}

// carryOver copies a rejected checkout's lines into the next session and
// gives back what the old hold still keeps; the next change or checkout
// holds the lines again under the new session.
func (s *Service) carryOver(ctx context.Context, from, to Session) error {
	lines, err := s.store.Lines(ctx, from.ID)
	if err != nil {
		return fmt.Errorf("carry cart over: %w", err)
	}
	for _, l := range lines {
		if err := s.store.SetLine(ctx, to.ID, l, s.now()); err != nil {
			return fmt.Errorf("carry cart over: %w", err)
		}
	}
	if err := s.holds.ReleaseHold(ctx, from.ID); err != nil {
		s.log.Warn("old cart hold not released; it expires on its own", "hold", from.ID, "err", err)
	}
	return nil
}

// view joins the cart's lines with products' hold.
func view(sess Session, lines []Line, held Held) Cart {
	c := Cart{ID: sess.ID, Lines: make([]CartLine, len(lines))}
	for i, l := range lines {
		h := held.Lines[l.Key()]
		c.Lines[i] = CartLine{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity, Held: min(h.Quantity, l.Quantity), UnitPrice: h.UnitPrice}
		c.Total += int64(l.Quantity) * h.UnitPrice
	}
	if len(lines) > 0 {
		c.ExpiresAt = held.ExpiresAt
	}
	return c
}

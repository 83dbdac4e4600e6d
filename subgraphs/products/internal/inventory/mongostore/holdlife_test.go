package mongostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// clock is a hand-moved clock shared by the services of a test. After
// straddle, the next reading is at and every later one then.
type clock struct {
	mu       sync.Mutex
	t        time.Time
	next     *time.Time
	straddle bool
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.straddle {
		c.straddle = false
		t := c.t
		c.t = *c.next
		return t
	}
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// straddleAt makes the next reading at and every later one then, as if
// a call began at at and time moved on to then while it ran.
func (c *clock) straddleAt(at, then time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, c.next, c.straddle = at, &then, true
}

// lifetimeFixture is two replicas with a 15 minute TTL and a one hour
// lifetime on one hand-moved clock, and a product of 10 units.
type lifetimeFixture struct {
	a, b     *inventory.Service
	products *catalog.Service
	clock    *clock
	t0       time.Time
	product  string
}

func newLifetimeFixture(t *testing.T, name string) *lifetimeFixture {
	t.Helper()
	st := storetest.Open(t, name)
	products, a := st.Services()
	_, b := st.Services()
	f := &lifetimeFixture{a: a, b: b, products: products, t0: time.Now().UTC().Truncate(time.Millisecond)}
	f.clock = &clock{t: f.t0}
	for _, s := range []*inventory.Service{a, b} {
		s.SetHoldTTL(15 * time.Minute)
		s.SetHoldLifetime(time.Hour)
		s.SetClock(f.clock.now)
	}
	p, err := products.Create(context.Background(), catalog.CreateInput{Name: name, Price: 30, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	f.product = p.ID
	return f
}

// set sets the hold to quantity at t0+at and checks what it holds, its
// expiry (t0+expiresIn), its problems and the product's quantity.
func (f *lifetimeFixture) set(t *testing.T, s *inventory.Service, holdID string, at time.Duration, quantity, wantHeld int, expiresIn time.Duration, wantProblems, wantQuantity int) inventory.Hold {
	t.Helper()
	f.clock.set(f.t0.Add(at))
	h, err := s.SetHold(context.Background(), holdID, []inventory.Line{{ProductID: f.product, Quantity: quantity}})
	if err != nil {
		t.Fatalf("set %d at +%s: %v", quantity, at, err)
	}
	f.check(t, h, at, wantHeld, expiresIn, wantProblems, wantQuantity)
	return h
}

func (f *lifetimeFixture) check(t *testing.T, h inventory.Hold, at time.Duration, wantHeld int, expiresIn time.Duration, wantProblems, wantQuantity int) {
	t.Helper()
	if len(h.Lines) != 1 || h.Lines[0].Quantity != wantHeld || h.Lines[0].UnitPrice != 30 {
		t.Fatalf("+%s: hold lines %+v, want %d held at price 30", at, h.Lines, wantHeld)
	}
	if h.ExpiresAt == nil || !h.ExpiresAt.Equal(f.t0.Add(expiresIn)) {
		t.Fatalf("+%s: expires at %v, want t0+%s", at, h.ExpiresAt, expiresIn)
	}
	if len(h.Problems) != wantProblems {
		t.Fatalf("+%s: problems %+v, want %d", at, h.Problems, wantProblems)
	}
	if q := f.quantity(t); q != wantQuantity {
		t.Fatalf("+%s: quantity %d, want %d", at, q, wantQuantity)
	}
}

func (f *lifetimeFixture) quantity(t *testing.T) int {
	t.Helper()
	p, err := f.products.Get(context.Background(), f.product)
	if err != nil {
		t.Fatal(err)
	}
	return p.Quantity
}

// Changes extend a hold by the TTL, but never beyond an hour from its
// first set: the sweeper gives its units back then although the cart kept
// changing, later changes hold nothing (and refuse what stock could not
// cover), and the checkout reserves from free stock. The books stay exact.
func TestHoldLifetimeStopsExtensions(t *testing.T) {
	t.Parallel()
	f := newLifetimeFixture(t, "lifetime")
	ctx := context.Background()
	const hold = "cart-lifetime"
	m := time.Minute
	f.set(t, f.a, hold, 0, 2, 2, 15*m, 0, 8)
	f.set(t, f.b, hold, 10*m, 3, 3, 25*m, 0, 7)
	f.set(t, f.a, hold, 50*m, 4, 4, 60*m, 0, 6)
	f.set(t, f.b, hold, 55*m, 5, 5, 60*m, 0, 5)

	f.clock.set(f.t0.Add(59 * m))
	if n, err := f.b.SweepHolds(ctx, 100); err != nil || n != 0 {
		t.Fatalf("sweep before the end released %d (%v), want 0", n, err)
	}
	f.clock.set(f.t0.Add(61 * m))
	if n, err := f.b.SweepHolds(ctx, 100); err != nil || n != 5 {
		t.Fatalf("sweep after the end released %d (%v), want 5", n, err)
	}
	f.set(t, f.a, hold, 62*m, 6, 0, 60*m, 0, 10)
	h := f.set(t, f.b, hold, 63*m, 11, 0, 60*m, 1, 10)
	if p := h.Problems[0]; p.Code != inventory.ProblemInsufficientStock || p.Available != 10 || p.Requested != 11 {
		t.Fatalf("problem %+v, want INSUFFICIENT_STOCK with 10 available", p)
	}
	if n, err := f.a.SweepHolds(ctx, 100); err != nil || n != 0 {
		t.Fatalf("a later sweep released %d (%v), want 0: nothing was held after the end", n, err)
	}

	r, err := f.a.ReserveHeld(ctx, "order-lifetime", hold, []inventory.Line{{ProductID: f.product, Quantity: 6}})
	if err != nil || r.Status != inventory.StatusReserved {
		t.Fatalf("checkout after the end: %+v %v", r, err)
	}
	if q := f.quantity(t); q != 4 {
		t.Fatalf("quantity after checkout %d, want 4 (10 - 6 reserved from free stock)", q)
	}
	ms, err := f.a.Movements(ctx, f.product, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	sum, kinds := 0, map[inventory.Kind]int{}
	for _, mv := range ms {
		sum += mv.Delta
		kinds[mv.Kind]++
	}
	// 10 created = 4 available + 6 reserved; four holds, one release.
	if sum != 4 || ms[0].Balance != 4 || kinds[inventory.KindHold] != 4 || kinds[inventory.KindHoldRelease] != 1 || kinds[inventory.KindReserve] != 1 {
		t.Fatalf("ledger sums to %d with kinds %v, want 4 with 4 holds, 1 release, 1 reserve", sum, kinds)
	}
}

// A set in the last second of a hold's lifetime gives back what the hold
// keeps at once and holds nothing, and a set that began before that second
// and ended in it gives back what it held: the sweeper of another replica
// may have dealt with its lease meanwhile, and no unit may stay held
// without one.
func TestHoldEndGuard(t *testing.T) {
	t.Parallel()
	m := time.Minute
	t.Run("set in the last second", func(t *testing.T) {
		t.Parallel()
		f := newLifetimeFixture(t, "endguard")
		f.set(t, f.a, "cart-guard", 0, 2, 2, 15*m, 0, 8)
		f.set(t, f.a, "cart-guard", 50*m, 4, 4, 60*m, 0, 6)
		f.set(t, f.b, "cart-guard", 60*m-500*time.Millisecond, 4, 0, 60*m, 0, 10)
	})
	t.Run("set running into the last second", func(t *testing.T) {
		t.Parallel()
		f := newLifetimeFixture(t, "straddle")
		f.set(t, f.a, "cart-straddle", 0, 2, 2, 15*m, 0, 8)
		f.clock.straddleAt(f.t0.Add(60*m-2*time.Second), f.t0.Add(60*m-500*time.Millisecond))
		h, err := f.b.SetHold(context.Background(), "cart-straddle", []inventory.Line{{ProductID: f.product, Quantity: 5}})
		if err != nil {
			t.Fatal(err)
		}
		f.check(t, h, 60*m, 0, 60*m, 0, 10)
	})
}

// A hold lists at most MaxHoldProducts different products over its life
// (reading a hold reads every one): the next is refused as bad input,
// while products it lists already can still change.
func TestHoldProductsAreBounded(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "holdproducts")
	products, inv := st.Services()
	ctx := context.Background()
	ids := make([]string, inventory.MaxHoldProducts+1)
	for i := range ids {
		p, err := products.Create(ctx, catalog.CreateInput{Name: "listed", Price: 1, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	lines := make([]inventory.Line, inventory.MaxHoldProducts)
	for i := range lines {
		lines[i] = inventory.Line{ProductID: ids[i], Quantity: 1}
	}
	if h, err := inv.SetHold(ctx, "cart-many", lines); err != nil || len(h.Problems) != 0 {
		t.Fatalf("hold %d products: %+v %v", len(lines), h.Problems, err)
	}
	for i := range lines {
		lines[i].Quantity = 0
	}
	if _, err := inv.SetHold(ctx, "cart-many", lines); err != nil {
		t.Fatal(err)
	}
	if _, err := inv.SetHold(ctx, "cart-many", []inventory.Line{{ProductID: ids[inventory.MaxHoldProducts], Quantity: 1}}); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("product %d: err = %v, want bad input", inventory.MaxHoldProducts+1, err)
	}
	h, err := inv.SetHold(ctx, "cart-many", []inventory.Line{{ProductID: ids[0], Quantity: 1}})
	if err != nil || len(h.Problems) != 0 || len(h.Lines) != inventory.MaxHoldProducts {
		t.Fatalf("a listed product again: %d lines, problems %+v, %v", len(h.Lines), h.Problems, err)
	}
}

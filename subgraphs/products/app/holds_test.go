package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/app"
)

// shortHolds makes holds expire within a second and sweeps often.
var shortHolds = map[string]string{"HOLD_TTL": "1s", "HOLD_SWEEP_INTERVAL": "100ms"}

// setHold sets a hold through the internal API.
func (in *instance) setHold(t *testing.T, holdID string, lines ...inventoryapi.Line) inventoryapi.Hold {
	t.Helper()
	return in.holdCall(t, http.MethodPut, inventoryapi.PathHolds+"/"+holdID, inventoryapi.SetHoldRequest{Lines: lines})
}

func (in *instance) getHold(t *testing.T, holdID string) inventoryapi.Hold {
	t.Helper()
	return in.holdCall(t, http.MethodGet, inventoryapi.PathHolds+"/"+holdID, nil)
}

func (in *instance) holdCall(t *testing.T, method, path string, body any) inventoryapi.Hold {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, in.URL+path, rd)
	req.Header.Set(inventoryapi.HeaderServiceToken, testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("hold call: %v", err)
		return inventoryapi.Hold{}
	}
	defer resp.Body.Close()
	var h inventoryapi.Hold
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&h) != nil {
		t.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	return h
}

func (in *instance) reserveHeld(t *testing.T, orderID, holdID string, lines ...inventoryapi.Line) (int, inventoryapi.Reservation) {
	t.Helper()
	return in.call(t, http.MethodPost, inventoryapi.PathReservations, inventoryapi.ReserveRequest{OrderID: orderID, HoldID: holdID, Lines: lines})
}

func heldOf(h inventoryapi.Hold, productID string) int {
	for _, l := range h.Lines {
		if l.ProductID == productID {
			return l.Quantity
		}
	}
	return 0
}

// kinds counts a product's ledger entries by kind, through GraphQL.
func (in *instance) kinds(t *testing.T, productID string) map[string]int {
	t.Helper()
	r := in.gql(t, `query($id: ID!){ inventoryLedger(productId: $id, take: 100){ kind } }`, map[string]any{"id": productID}, admin()...)
	var ms []struct{ Kind string }
	if len(r.Errors) > 0 || json.Unmarshal(r.Data["inventoryLedger"], &ms) != nil {
		t.Fatalf("ledger: %+v", r.Errors)
	}
	out := map[string]int{}
	for _, m := range ms {
		out[m.Kind]++
	}
	return out
}

// Shoppers on two replicas race for the last units through their carts:
// exactly the available units end up held, the rest are refused with
// INSUFFICIENT_STOCK and keep nothing.
func TestCartsRaceForLastUnits(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	cases := []struct {
		name              string
		stock, shoppers   int
		each, wantHolders int
	}{
		{"twenty shoppers one unit each for five", 5, 20, 1, 5},
		{"two shoppers two units each for three", 3, 2, 2, 1},
	}
	for _, c := range cases {
		p := a.create(t, c.name, 500, c.stock)
		holds := make([]inventoryapi.Hold, c.shoppers)
		var wg sync.WaitGroup
		for i := range c.shoppers {
			in := a
			if i%2 == 1 {
				in = b
			}
			wg.Go(func() {
				holds[i] = in.setHold(t, fmt.Sprintf("cart-%s-%d", p.ID, i), inventoryapi.Line{ProductID: p.ID, Quantity: c.each})
			})
		}
		wg.Wait()
		holders, refused := 0, 0
		for _, h := range holds {
			switch {
			case len(h.Problems) == 0 && heldOf(h, p.ID) == c.each:
				holders++
			case len(h.Problems) == 1 && h.Problems[0].Code == inventoryapi.CodeInsufficientStock && heldOf(h, p.ID) == 0:
				refused++
			default:
				t.Errorf("%s: unexpected hold %+v", c.name, h)
			}
		}
		if holders != c.wantHolders || refused != c.shoppers-c.wantHolders {
			t.Errorf("%s: %d held, %d refused; want %d and %d", c.name, holders, refused, c.wantHolders, c.shoppers-c.wantHolders)
		}
		if q := b.quantity(t, p.ID); q != c.stock-c.wantHolders*c.each {
			t.Errorf("%s: quantity = %d, want %d", c.name, q, c.stock-c.wantHolders*c.each)
		}
	}
	checkInvariant(t, env, sh)
}

// A hold that nobody touches expires: the sweepers of both replicas give
// its units back exactly once, without any request arriving, and the
// change shows in products and in an inventoryUpdated event.
func TestHoldExpiresAndUnitsReturn(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	// Both replicas sweep the same leases.
	slower := map[string]string{"HOLD_TTL": "3s", "HOLD_SWEEP_INTERVAL": "100ms"}
	a, b := startWith(t, env, sh, slower), startWith(t, env, sh, slower)
	p := a.create(t, "expiring", 250, 10)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": subscription, "variables": map[string]any{"id": p.ID}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sse: %v", err)
	}
	defer resp.Body.Close()
	waitSubscribed(t, b)

	h := a.setHold(t, "cart-expiring", inventoryapi.Line{ProductID: p.ID, Quantity: 4})
	if heldOf(h, p.ID) != 4 || h.ExpiresAt == "" {
		t.Fatalf("hold = %+v, want 4 units with an expiry", h)
	}
	if q := b.quantity(t, p.ID); q != 6 {
		t.Fatalf("quantity while held = %d, want 6", q)
	}
	// The subscriber sees the units held, then back (the creation's own
	// event, also with 10 units, may arrive first).
	sc := bufio.NewScanner(resp.Body)
	for _, want := range []string{`"quantity":6`, `"quantity":10`} {
		seen := false
		for !seen && sc.Scan() {
			line := sc.Text()
			seen = strings.HasPrefix(line, "data:") && strings.Contains(line, want)
		}
		if !seen {
			t.Fatalf("stream ended before an event with %s: %v", want, sc.Err())
		}
	}
	r := a.gql(t, `query($s: String){ products(search: $s){ _id quantity } }`, map[string]any{"s": "expiring"})
	if !strings.Contains(string(r.Data["products"]), `"quantity":10`) {
		t.Fatalf("products = %s, want quantity 10", r.Data["products"])
	}
	if got := a.getHold(t, "cart-expiring"); heldOf(got, p.ID) != 0 || len(got.Lines) != 1 || got.Lines[0].UnitPrice != 250 {
		t.Fatalf("expired hold still keeps %+v", got.Lines)
	}
	// Let both sweepers run a few more passes: still one release.
	time.Sleep(500 * time.Millisecond)
	if k := a.kinds(t, p.ID); k["HOLD"] != 1 || k["HOLD_RELEASE"] != 1 {
		t.Fatalf("ledger kinds = %v, want one HOLD and one HOLD_RELEASE", k)
	}
	checkInvariant(t, env, sh)
}

// A checkout whose hold expired re-reserves its lines from free stock when
// there is enough, and is refused naming the line when there is not,
// leaving nothing reserved.
func TestCheckoutAfterExpiry(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := startWith(t, env, sh, shortHolds)
	cases := []struct {
		name      string
		othersBuy int
		wantCode  int
	}{
		{"stock left", 1, http.StatusOK},
		{"no stock left", 4, http.StatusConflict},
	}
	for i, c := range cases {
		p := in.create(t, "checkout "+c.name, 300, 5)
		hold := fmt.Sprintf("cart-after-expiry-%d", i)
		in.setHold(t, hold, inventoryapi.Line{ProductID: p.ID, Quantity: 3})
		eventually(t, "hold expired", func() bool { return in.quantity(t, p.ID) == 5 })
		if code, _ := in.reserve(t, fmt.Sprintf("other-buyer-%d", i), inventoryapi.Line{ProductID: p.ID, Quantity: c.othersBuy}); code != http.StatusOK {
			t.Fatalf("%s: other buyer: %d", c.name, code)
		}
		code, r := in.reserveHeld(t, fmt.Sprintf("checkout-%d", i), hold, inventoryapi.Line{ProductID: p.ID, Quantity: 3})
		if code != c.wantCode {
			t.Fatalf("%s: checkout = %d %+v, want %d", c.name, code, r, c.wantCode)
		}
		left := 5 - c.othersBuy
		if code == http.StatusOK {
			left -= 3
		} else if r.Problem == nil || r.Problem.Code != inventoryapi.CodeInsufficientStock || r.Problem.ProductID != p.ID || r.Problem.Available == nil || *r.Problem.Available != 1 {
			t.Fatalf("%s: problem = %+v, want INSUFFICIENT_STOCK for %s with 1 available", c.name, r.Problem, p.ID)
		}
		if q := in.quantity(t, p.ID); q != left {
			t.Fatalf("%s: quantity = %d, want %d", c.name, q, left)
		}
	}
	checkInvariant(t, env, sh)
}

// Checking a cart out converts its held units into the order's
// reservation in the same ledger entry; checking out again (on another
// replica, concurrently) reserves nothing more, and cancelling gives every
// unit back to free stock.
func TestDoubleCheckoutConvertsOnce(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "converted", 100, 5)
	q := a.create(t, "partly held", 40, 5)
	if h := a.setHold(t, "cart-double", inventoryapi.Line{ProductID: p.ID, Quantity: 3}, inventoryapi.Line{ProductID: q.ID, Quantity: 1}); heldOf(h, p.ID) != 3 || heldOf(h, q.ID) != 1 {
		t.Fatalf("hold = %+v, want 3 and 1 units", h)
	}
	lines := []inventoryapi.Line{{ProductID: p.ID, Quantity: 3}, {ProductID: q.ID, Quantity: 2}}
	var wg sync.WaitGroup
	for i := range 6 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			code, r := in.reserveHeld(t, "order-double", "cart-double", lines...)
			if code != http.StatusOK || r.Status != inventoryapi.StatusReserved || len(r.Lines) != 2 {
				t.Errorf("checkout %d = %d %+v", i, code, r)
			}
		})
	}
	wg.Wait()
	if qp, qq := a.quantity(t, p.ID), a.quantity(t, q.ID); qp != 2 || qq != 3 {
		t.Fatalf("quantities = %d, %d; want 2, 3", qp, qq)
	}
	if h := b.getHold(t, "cart-double"); heldOf(h, p.ID) != 0 || heldOf(h, q.ID) != 0 {
		t.Fatalf("hold after checkout keeps %+v", h.Lines)
	}
	if k := a.kinds(t, p.ID); k["RESERVE"] != 1 {
		t.Fatalf("ledger kinds of p = %v, want one RESERVE", k)
	}
	checkInvariant(t, env, sh)
	if code, _ := b.release(t, "order-double"); code != http.StatusOK {
		t.Fatalf("release: %d", code)
	}
	if qp, qq := a.quantity(t, p.ID), a.quantity(t, q.ID); qp != 5 || qq != 5 {
		t.Fatalf("quantities after release = %d, %d; want 5, 5", qp, qq)
	}
	checkInvariant(t, env, sh)
}

// Setting a hold is idempotent and exact: growing, shrinking and releasing
// move only the difference, and a repeated set moves nothing.
func TestSetHoldMovesOnlyTheDifference(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := start(t, env, sh)
	p := in.create(t, "adjusted", 100, 10)
	steps := []struct {
		quantity, wantHeld, wantQuantity int
	}{
		{2, 2, 8}, {2, 2, 8}, {7, 7, 3}, {11, 7, 3}, {4, 4, 6}, {0, 0, 10},
	}
	for i, s := range steps {
		h := in.setHold(t, "cart-adjust", inventoryapi.Line{ProductID: p.ID, Quantity: s.quantity})
		if heldOf(h, p.ID) != s.wantHeld {
			t.Fatalf("step %d: held %d, want %d (%+v)", i, heldOf(h, p.ID), s.wantHeld, h)
		}
		if s.quantity > 10-0 && (len(h.Problems) != 1 || h.Problems[0].Available == nil || *h.Problems[0].Available != 10) {
			t.Fatalf("step %d: problems = %+v, want one with 10 available", i, h.Problems)
		}
		if q := in.quantity(t, p.ID); q != s.wantQuantity {
			t.Fatalf("step %d: quantity %d, want %d", i, q, s.wantQuantity)
		}
	}
	if k := in.kinds(t, p.ID); k["HOLD"] != 2 || k["HOLD_RELEASE"] != 2 {
		t.Fatalf("ledger kinds = %v, want 2 HOLD and 2 HOLD_RELEASE", k)
	}
	checkInvariant(t, env, sh)
}

// A hold outlives the replica that made it: after that replica stops, a
// replica started later finds the expired hold and gives its units back
// without any request for that cart.
func TestHoldExpiresAfterRestart(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	// The first replica never gets to sweep before it stops.
	a := startWith(t, env, sh, map[string]string{"HOLD_TTL": "1s", "HOLD_SWEEP_INTERVAL": "1h"})
	p := a.create(t, "restarted", 80, 6)
	if h := a.setHold(t, "cart-restart", inventoryapi.Line{ProductID: p.ID, Quantity: 5}); heldOf(h, p.ID) != 5 {
		t.Fatalf("hold = %+v", h)
	}
	a.stop()
	b := startWith(t, env, sh, shortHolds)
	if q := b.quantity(t, p.ID); q > 1 && q != 6 {
		t.Fatalf("quantity after restart = %d, want 1 (held) or 6 (expired)", q)
	}
	eventually(t, "hold released by the new replica", func() bool { return b.quantity(t, p.ID) == 6 })
	if k := b.kinds(t, p.ID); k["HOLD_RELEASE"] != 1 {
		t.Fatalf("ledger kinds = %v, want one HOLD_RELEASE", k)
	}
	checkInvariant(t, env, sh)
}

// Hold settings are validated with the rest of the configuration.
func TestHoldConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{"API_SECRET": testSecret, "KAFKA_BROKERS": "127.0.0.1:9092"}
	cases := []struct {
		name, key, value string
		ok               bool
	}{
		{"default", "", "", true},
		{"short ttl", "HOLD_TTL", "2s", true},
		{"zero ttl", "HOLD_TTL", "0s", false},
		{"negative sweep", "HOLD_SWEEP_INTERVAL", "-1s", false},
		{"malformed ttl", "HOLD_TTL", "soon", false},
		{"short lifetime", "HOLD_MAX_LIFETIME", "20m", true},
		{"lifetime below the ttl", "HOLD_MAX_LIFETIME", "10m", false},
		{"lifetime under two seconds", "HOLD_MAX_LIFETIME", "1s", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			if c.key != "" {
				m[c.key] = c.value
			}
			cfg, err := app.LoadConfig(config.FromMap(m))
			if (err == nil) != c.ok {
				t.Fatalf("LoadConfig(%s=%s) err = %v, want ok=%v", c.key, c.value, err, c.ok)
			}
			if c.name == "default" && (cfg.HoldTTL != 15*time.Minute || cfg.HoldLifetime != time.Hour) {
				t.Fatalf("default HOLD_TTL, HOLD_MAX_LIFETIME = %s, %s; want 15m, 1h", cfg.HoldTTL, cfg.HoldLifetime)
			}
		})
	}
}

// A cart edited every 300 ms keeps its hold only until HOLD_MAX_LIFETIME
// after its first change: expiresAt never passes that bound, the units
// go back to stock then (while the edits go on), later edits hold nothing
// and the checkout reserves from free stock. The books stay exact.
func TestHoldLifetimeEndsExtensions(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	const ttl, lifetime = 2 * time.Second, 4 * time.Second
	a := startWith(t, env, sh, map[string]string{"HOLD_TTL": ttl.String(), "HOLD_MAX_LIFETIME": lifetime.String(), "HOLD_SWEEP_INTERVAL": "100ms"})
	b := startWith(t, env, sh, map[string]string{"HOLD_TTL": ttl.String(), "HOLD_MAX_LIFETIME": lifetime.String(), "HOLD_SWEEP_INTERVAL": "100ms"})
	p := a.create(t, "long cart", 120, 10)

	first := a.setHold(t, "cart-long", inventoryapi.Line{ProductID: p.ID, Quantity: 3})
	exp, err := time.Parse(time.RFC3339Nano, first.ExpiresAt)
	if err != nil || heldOf(first, p.ID) != 3 {
		t.Fatalf("first set: %+v (%v)", first, err)
	}
	end := exp.Add(-ttl).Add(lifetime)
	// Edits alternate between the replicas and between 3 and 4 units.
	lastHeld := 3
	for i := 1; time.Now().Before(end.Add(2 * time.Second)); i++ {
		time.Sleep(300 * time.Millisecond)
		in, want := a, 3+i%2
		if i%2 == 1 {
			in = b
		}
		// Only an edit sent after the lifetime must hold nothing: one sent
		// just before it may be decided before it and answered after.
		sent := time.Now()
		h := in.setHold(t, "cart-long", inventoryapi.Line{ProductID: p.ID, Quantity: want})
		got, err := time.Parse(time.RFC3339Nano, h.ExpiresAt)
		if err != nil || got.After(end) {
			t.Fatalf("edit %d: expiresAt %s (%v), want at most %s", i, h.ExpiresAt, err, end.Format(time.RFC3339Nano))
		}
		if len(h.Problems) > 0 || len(h.Lines) != 1 || h.Lines[0].UnitPrice != 120 {
			t.Fatalf("edit %d: %+v, want the line with its price and no problems", i, h)
		}
		if sent.After(end) && heldOf(h, p.ID) != 0 {
			t.Fatalf("edit %d after the lifetime (%s) holds %d units, want 0", i, end.Format(time.RFC3339Nano), heldOf(h, p.ID))
		}
		lastHeld = heldOf(h, p.ID)
	}
	if q := b.quantity(t, p.ID); lastHeld != 0 || q != 10 {
		t.Fatalf("after the lifetime: %d held, quantity %d; want 0 and 10", lastHeld, q)
	}
	code, r := a.reserveHeld(t, "order-long", "cart-long", inventoryapi.Line{ProductID: p.ID, Quantity: 4})
	if code != http.StatusOK || r.Status != inventoryapi.StatusReserved {
		t.Fatalf("checkout after the lifetime: %d %+v", code, r)
	}
	if q := b.quantity(t, p.ID); q != 6 {
		t.Fatalf("quantity after checkout = %d, want 6", q)
	}
	checkInvariant(t, env, sh)
}

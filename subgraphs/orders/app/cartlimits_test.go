package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/app"
)

// wantLimit checks a CART_LIMIT_EXCEEDED answer naming limit and max.
func wantLimit(t *testing.T, what string, r gqlResp, limit string, max, requested int) {
	t.Helper()
	if code(r) != "CART_LIMIT_EXCEEDED" || len(r.Errors) != 1 {
		t.Fatalf("%s: %+v, want CART_LIMIT_EXCEEDED", what, r.Errors)
	}
	ext := r.Errors[0].Extensions
	if ext["limit"] != limit || ext["max"] != float64(max) || ext["requested"] != float64(requested) {
		t.Fatalf("%s: extensions %v, want limit %s, max %d, requested %d", what, ext, limit, max, requested)
	}
}

// One account cannot hold a product's stock: a cart holds at most 20
// units of one product by default. The refused change leaves the cart and
// the hold as they were, and a line over the limit can still shrink.
func TestCartUnitsPerProductLimit(t *testing.T) {
	t.Parallel()
	h := start(t)
	s := h.shopper(t)
	p := h.inv.AddProduct(100, 500)
	if c, r := s.add(t, p, 20); len(r.Errors) > 0 || held(c, p) != 20 {
		t.Fatalf("20 units: %+v %+v", c, r.Errors)
	}
	_, r := s.add(t, p, 1)
	wantLimit(t, "the 21st unit", r, "unitsPerProduct", 20, 21)
	_, r = s.update(t, p, 400)
	wantLimit(t, "a line of 400", r, "unitsPerProduct", 20, 400)
	if c := s.cart(t); held(c, p) != 20 || c.Lines[0].Quantity != 20 || h.inv.Stock(p) != 480 {
		t.Fatalf("after refusals: cart %+v, stock %d; want 20 held and 480 left", c, h.inv.Stock(p))
	}
	if c, r := s.update(t, p, 5); len(r.Errors) > 0 || held(c, p) != 5 || h.inv.Stock(p) != 495 {
		t.Fatalf("shrink to 5: %+v %+v, stock %d", c, r.Errors, h.inv.Stock(p))
	}
	checkCartInvariant(t, h, []shopper{s}, p)
}

// The cart's total is bounded too (CART_MAX_UNITS), and both limits come
// from the configuration.
func TestCartLimitsFromConfig(t *testing.T) {
	t.Parallel()
	h := startWith(t, testenv.Get(t), map[string]string{"CART_MAX_UNITS_PER_PRODUCT": "3", "CART_MAX_UNITS": "5"})
	s := h.shopper(t)
	a, b, c := h.inv.AddProduct(10, 50), h.inv.AddProduct(20, 50), h.inv.AddProduct(30, 50)
	_, r := s.add(t, a, 4)
	wantLimit(t, "4 of one product", r, "unitsPerProduct", 3, 4)
	for _, l := range []struct {
		id string
		q  int
	}{{a, 3}, {b, 2}} {
		if _, r := s.add(t, l.id, l.q); len(r.Errors) > 0 {
			t.Fatalf("add %d: %+v", l.q, r.Errors)
		}
	}
	_, r = s.add(t, c, 1)
	wantLimit(t, "a sixth unit", r, "unitsPerCart", 5, 6)
	_, r = s.update(t, b, 3)
	wantLimit(t, "a line raised to 3", r, "unitsPerCart", 5, 6)
	if cart := s.cart(t); len(cart.Lines) != 2 || h.inv.Stock(c) != 50 || h.inv.CartHeld(c) != 0 {
		t.Fatalf("after refusals: %+v, stock of c %d; want two lines and c untouched", cart, h.inv.Stock(c))
	}
	if o, r := s.checkout(t); len(r.Errors) > 0 || o.Status != "CONFIRMED" || o.Total != 3*10+2*20 {
		t.Fatalf("checkout: %+v %+v", o, r.Errors)
	}
	checkCartInvariant(t, h, []shopper{s}, a, b, c)
}

// Every response has a budget of database reads: aliases of `orders`
// that would read more are refused with QUERY_TOO_EXPENSIVE (the others
// answered), an admin's larger budget fits them, and every mutation field
// is charged a fixed cost, so hundreds of them run out too.
func TestReadBudgetFromConfig(t *testing.T) {
	t.Parallel()
	h := startWith(t, testenv.Get(t), map[string]string{"REQUEST_READ_BUDGET": "2100", "ADMIN_REQUEST_READ_BUDGET": "20000"})
	s := h.shopper(t)
	p := h.inv.AddProduct(10, 100)
	for range 3 {
		if r := h.do(t, s.auth, seedPlaceOrder, map[string]any{"id": p, "q": 1}, nil); len(r.Errors) > 0 {
			t.Fatalf("place: %+v", r.Errors)
		}
	}
	// Each alias is charged the history's head and probe (2), then 3
	// entries with their orders (4 each): 14 reads, 4,200 in all.
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: %s", i, field)
		}
		return b.String() + " }"
	}
	q := aliases(300, "orders { _id }")
	r := h.do(t, s.auth, q, nil, nil)
	refused, answered := 0, strings.Count(string(r.Data), `"_id"`)/3
	for _, e := range r.Errors {
		if e.Extensions["code"] != "QUERY_TOO_EXPENSIVE" || e.Extensions["budget"] != float64(2100) {
			t.Fatalf("unexpected error %+v", e)
		}
		refused++
	}
	if refused == 0 || answered == 0 || answered*14 > 2100 {
		t.Fatalf("300 aliases of orders: %d refused, %d answered; want some of each, at most 2100 reads answered", refused, answered)
	}
	if r := h.do(t, map[string]string{"x-api-key": secret}, q, nil, nil); len(r.Errors) > 0 {
		t.Fatalf("the same aliases as admin: %+v", r.Errors[0])
	}
	// 84 mutation fields fit 2,100 reads at 25 each, the 85th does not.
	m := strings.Replace(aliases(90, fmt.Sprintf("removeFromCart(productId: %q) { _id }", p)), "{", "mutation {", 1)
	r = h.do(t, s.auth, m, nil, nil)
	if len(r.Errors) != 6 || code(r) != "QUERY_TOO_EXPENSIVE" || strings.Count(string(r.Data), `"_id"`) != 84 {
		t.Fatalf("90 mutation fields: %d errors (%s), %d answered; want 6 refused and 84 answered", len(r.Errors), code(r), strings.Count(string(r.Data), `"_id"`))
	}
}

func TestLimitsConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{"API_SECRET": secret, "KAFKA_BROKERS": "127.0.0.1:9092"}
	cases := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"default", nil, true},
		{"one unit", map[string]string{"CART_MAX_UNITS_PER_PRODUCT": "1", "CART_MAX_UNITS": "1"}, true},
		{"no units", map[string]string{"CART_MAX_UNITS_PER_PRODUCT": "0"}, false},
		{"more per product than a line allows", map[string]string{"CART_MAX_UNITS_PER_PRODUCT": "1001", "CART_MAX_UNITS": "5000"}, false},
		{"total below per product", map[string]string{"CART_MAX_UNITS_PER_PRODUCT": "20", "CART_MAX_UNITS": "10"}, false},
		{"budget below one history", map[string]string{"REQUEST_READ_BUDGET": "2000"}, false},
		{"admin budget below users'", map[string]string{"REQUEST_READ_BUDGET": "9000", "ADMIN_REQUEST_READ_BUDGET": "8000"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range c.env {
				m[k] = v
			}
			cfg, err := app.LoadConfig(config.FromMap(m))
			if (err == nil) != c.ok {
				t.Fatalf("LoadConfig(%v) err = %v, want ok=%v", c.env, err, c.ok)
			}
			if c.name == "default" && (cfg.CartMaxUnitsPerProduct != 20 || cfg.CartMaxUnits != 100 || cfg.ReadBudget != 5000 || cfg.AdminReadBudget != 50000) {
				t.Fatalf("defaults: %+v", cfg)
			}
		})
	}
}

package app_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

const cartFields = `_id expiresAt total lines { _id quantity held unitPrice product { _id } }`

type cartView struct {
	ID        string  `json:"_id"`
	ExpiresAt *string `json:"expiresAt"`
	Total     int     `json:"total"`
	Lines     []struct {
		ID        string `json:"_id"`
		Quantity  int    `json:"quantity"`
		Held      int    `json:"held"`
		UnitPrice int    `json:"unitPrice"`
	} `json:"lines"`
}

type orderView struct {
	ID       string `json:"_id"`
	Status   string `json:"status"`
	Total    int    `json:"total"`
	Products []struct {
		ID       string `json:"_id"`
		Quantity int    `json:"quantity"`
	} `json:"products"`
}

// shopper is one signed-in user of the cart API.
type shopper struct {
	h    *harness
	auth map[string]string
}

func (h *harness) shopper(t *testing.T) shopper {
	return shopper{h: h, auth: h.bearer(t, primitive.NewObjectID().Hex())}
}

func (s shopper) add(t *testing.T, productID string, q int) (cartView, gqlResp) {
	t.Helper()
	var out struct{ AddToCart cartView }
	r := s.h.do(t, s.auth, `mutation($p: ID!, $q: Int!){ addToCart(productId: $p, quantity: $q){ `+cartFields+` } }`, map[string]any{"p": productID, "q": q}, &out)
	return out.AddToCart, r
}

func (s shopper) update(t *testing.T, productID string, q int) (cartView, gqlResp) {
	t.Helper()
	var out struct{ UpdateCartLine cartView }
	r := s.h.do(t, s.auth, `mutation($p: ID!, $q: Int!){ updateCartLine(productId: $p, quantity: $q){ `+cartFields+` } }`, map[string]any{"p": productID, "q": q}, &out)
	return out.UpdateCartLine, r
}

func (s shopper) remove(t *testing.T, productID string) (cartView, gqlResp) {
	t.Helper()
	var out struct{ RemoveFromCart cartView }
	r := s.h.do(t, s.auth, `mutation($p: ID!){ removeFromCart(productId: $p){ `+cartFields+` } }`, map[string]any{"p": productID}, &out)
	return out.RemoveFromCart, r
}

func (s shopper) cart(t *testing.T) cartView {
	t.Helper()
	var out struct{ Cart cartView }
	if r := s.h.do(t, s.auth, `{ cart { `+cartFields+` } }`, nil, &out); len(r.Errors) > 0 {
		t.Fatalf("cart: %+v", r.Errors)
	}
	return out.Cart
}

func (s shopper) checkout(t *testing.T) (orderView, gqlResp) {
	t.Helper()
	var out struct{ Checkout orderView }
	r := s.h.do(t, s.auth, `mutation { checkout { _id status total products { _id quantity } } }`, nil, &out)
	return out.Checkout, r
}

func (s shopper) orders(t *testing.T) []orderView {
	t.Helper()
	var out struct{ Orders []orderView }
	if r := s.h.do(t, s.auth, `{ orders { _id status total products { _id quantity } } }`, nil, &out); len(r.Errors) > 0 {
		t.Fatalf("orders: %+v", r.Errors)
	}
	return out.Orders
}

func held(c cartView, productID string) int {
	for _, l := range c.Lines {
		if l.ID == productID {
			return l.Held
		}
	}
	return -1
}

// checkCartInvariant asserts, for every product of the double, initial
// stock == available + units held by carts + units of live reservations,
// and that products' live reservations are exactly the units of the
// shoppers' CONFIRMED orders.
func checkCartInvariant(t *testing.T, h *harness, shoppers []shopper, products ...string) {
	t.Helper()
	if err := h.inv.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
	live := map[string]int{}
	for _, s := range shoppers {
		for _, o := range s.orders(t) {
			if o.Status == "CONFIRMED" {
				for _, l := range o.Products {
					live[l.ID] += l.Quantity
				}
			}
		}
	}
	for _, p := range products {
		if got := h.inv.Held(p); got != live[p] {
			t.Fatalf("product %s: products reserves %d units, confirmed orders have %d", p, got, live[p])
		}
	}
}

// Shoppers race for the last units through their carts: exactly the
// available units are held, the others are refused with INSUFFICIENT_STOCK.
func TestCartsRaceForLastUnits(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(150, 3)
	shoppers := make([]shopper, 10)
	carts := make([]cartView, len(shoppers))
	codes := make([]string, len(shoppers))
	var wg sync.WaitGroup
	for i := range shoppers {
		shoppers[i] = h.shopper(t)
		wg.Go(func() {
			c, r := shoppers[i].add(t, p, 1)
			carts[i], codes[i] = c, code(r)
		})
	}
	wg.Wait()
	holders := 0
	for i := range shoppers {
		switch codes[i] {
		case "":
			holders++
			if held(carts[i], p) != 1 || carts[i].Total != 150 || carts[i].ExpiresAt == nil {
				t.Errorf("cart %d = %+v, want 1 held unit, total 150, an expiry", i, carts[i])
			}
		case "INSUFFICIENT_STOCK":
			if c := shoppers[i].cart(t); len(c.Lines) != 0 {
				t.Errorf("refused shopper's cart = %+v, want empty", c)
			}
		default:
			t.Errorf("shopper %d: code %s", i, codes[i])
		}
	}
	if holders != 3 || h.inv.Stock(p) != 0 {
		t.Fatalf("%d shoppers hold units, stock %d; want 3 and 0", holders, h.inv.Stock(p))
	}
	checkCartInvariant(t, h, shoppers, p)
}

// Adding, updating and removing lines holds and gives back only the
// difference; a refused change leaves the cart as it was.
func TestCartLineChanges(t *testing.T) {
	t.Parallel()
	h := start(t)
	p, q := h.inv.AddProduct(100, 10), h.inv.AddProduct(30, 2)
	s := h.shopper(t)
	steps := []struct {
		name  string
		do    func() (cartView, gqlResp)
		code  string
		stock [2]int
	}{
		{"add 3 p", func() (cartView, gqlResp) { return s.add(t, p, 3) }, "", [2]int{7, 2}},
		{"add 2 more p", func() (cartView, gqlResp) { return s.add(t, p, 2) }, "", [2]int{5, 2}},
		{"add 2 q", func() (cartView, gqlResp) { return s.add(t, q, 2) }, "", [2]int{5, 0}},
		{"add 1 more q refused", func() (cartView, gqlResp) { return s.add(t, q, 1) }, "INSUFFICIENT_STOCK", [2]int{5, 0}},
		{"update p to 1", func() (cartView, gqlResp) { return s.update(t, p, 1) }, "", [2]int{9, 0}},
		{"remove q", func() (cartView, gqlResp) { return s.remove(t, q) }, "", [2]int{9, 2}},
		{"bad quantity", func() (cartView, gqlResp) { return s.add(t, p, 0) }, "BAD_USER_INPUT", [2]int{9, 2}},
		{"bad id", func() (cartView, gqlResp) { return s.add(t, "nope", 1) }, "BAD_USER_INPUT", [2]int{9, 2}},
		{"unknown product", func() (cartView, gqlResp) { return s.add(t, primitive.NewObjectID().Hex(), 1) }, "NOT_FOUND", [2]int{9, 2}},
	}
	for _, st := range steps {
		_, r := st.do()
		if code(r) != st.code {
			t.Fatalf("%s: code %q (%+v), want %q", st.name, code(r), r.Errors, st.code)
		}
		if got := [2]int{h.inv.Stock(p), h.inv.Stock(q)}; got != st.stock {
			t.Fatalf("%s: stock %v, want %v", st.name, got, st.stock)
		}
	}
	c := s.cart(t)
	if len(c.Lines) != 1 || held(c, p) != 1 || c.Total != 100 {
		t.Fatalf("cart = %+v, want one line of p with 1 held, total 100", c)
	}
	var anon struct{ Cart *cartView }
	if r := h.do(t, nil, `{ cart { _id } }`, nil, &anon); code(r) != "UNAUTHENTICATED" {
		t.Fatalf("anonymous cart: %+v", r.Errors)
	}
	checkCartInvariant(t, h, []shopper{s}, p, q)
}

// An untouched hold expires and its units go back to others; checkout
// after expiry holds the lines again when stock allows, and otherwise
// fails naming the lines without converting anything.
func TestCheckoutAfterExpiry(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.inv.SetHoldTTL(300 * time.Millisecond)
	p, q := h.inv.AddProduct(100, 5), h.inv.AddProduct(40, 3)
	a, b := h.shopper(t), h.shopper(t)
	if _, r := a.add(t, p, 2); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if _, r := a.add(t, q, 2); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if _, r := b.add(t, q, 2); code(r) != "INSUFFICIENT_STOCK" {
		t.Fatalf("b while a holds: %+v", r.Errors)
	}
	time.Sleep(400 * time.Millisecond)
	if c := a.cart(t); held(c, p) != 0 || held(c, q) != 0 || len(c.Lines) != 2 {
		t.Fatalf("a's cart after expiry = %+v, want both lines with nothing held", c)
	}
	// The units went back to others: b buys two of q without a cart.
	var placed struct{ PlaceOrder orderView }
	r := h.do(t, b.auth, `mutation($id: String!){ placeOrder(products: [{_id: $id, quantity: 2}]){ _id status } }`, map[string]any{"id": q}, &placed)
	if len(r.Errors) > 0 || placed.PlaceOrder.Status != "CONFIRMED" {
		t.Fatalf("b's order: %+v %+v", placed, r.Errors)
	}
	// Without stock left for q: refused, naming q; p is held again, nothing converted.
	_, r = a.checkout(t)
	if code(r) != "INSUFFICIENT_STOCK" || fmt.Sprint(r.Errors[0].Extensions["lines"]) == "" || r.Errors[0].Extensions["productId"] != q {
		t.Fatalf("checkout without stock: %+v", r.Errors)
	}
	if c := a.cart(t); held(c, p) != 2 || held(c, q) != 0 {
		t.Fatalf("a's cart after refused checkout = %+v, want p held again (2) and q holding nothing", c)
	}
	if len(a.orders(t)) != 0 {
		t.Fatal("a refused checkout made an order")
	}
	checkCartInvariant(t, h, []shopper{a, b}, p, q)
	// With stock left: shrink q to what is there, let the hold expire, check out.
	if _, r := a.update(t, q, 1); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	time.Sleep(400 * time.Millisecond)
	o, r := a.checkout(t)
	if len(r.Errors) > 0 || o.Status != "CONFIRMED" || o.Total != 2*100+40 {
		t.Fatalf("checkout with stock: %+v %+v", o, r.Errors)
	}
	if h.inv.Stock(p) != 3 || h.inv.Stock(q) != 0 {
		t.Fatalf("stock after checkout = %d, %d; want 3, 0", h.inv.Stock(p), h.inv.Stock(q))
	}
	if c := a.cart(t); len(c.Lines) != 0 || c.ID == o.ID {
		t.Fatalf("cart after checkout = %+v, want a new empty cart", c)
	}
	checkCartInvariant(t, h, []shopper{a, b}, p, q)
}

// Checking out twice, concurrently and again afterwards, makes one order.
func TestDoubleCheckoutMakesOneOrder(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(70, 4)
	s := h.shopper(t)
	c, r := s.add(t, p, 3)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	ids := make([]string, 5)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			o, r := s.checkout(t)
			if len(r.Errors) > 0 || o.Status != "CONFIRMED" {
				t.Errorf("checkout %d: %+v %+v", i, o, r.Errors)
			}
			ids[i] = o.ID
		})
	}
	wg.Wait()
	again, _ := s.checkout(t)
	for _, id := range append(ids, again.ID) {
		if id != c.ID {
			t.Fatalf("checkouts returned %v and %s, want all %s (the cart's id)", ids, again.ID, c.ID)
		}
	}
	if os := s.orders(t); len(os) != 1 || h.inv.Stock(p) != 1 {
		t.Fatalf("orders = %+v, stock %d; want one order and 1 unit left", os, h.inv.Stock(p))
	}
	checkCartInvariant(t, h, []shopper{s}, p)
	// The next activity opens a new cart, and its checkout a new order.
	if c2, r := s.add(t, p, 1); len(r.Errors) > 0 || c2.ID == c.ID {
		t.Fatalf("new cart = %+v %+v", c2, r.Errors)
	}
	if _, r := s.checkout(t); len(r.Errors) > 0 || len(s.orders(t)) != 2 {
		t.Fatalf("second cart's checkout: %+v", r.Errors)
	}
	if _, r := s.checkout(t); len(r.Errors) > 0 || len(s.orders(t)) != 2 {
		t.Fatalf("repeated checkout: %+v", r.Errors)
	}
	checkCartInvariant(t, h, []shopper{s}, p)
}

// A cart and its hold survive a restart of the orders service, and the
// checkout after the restart converts the hold made before it.
func TestCartSurvivesRestart(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(55, 5)
	s := h.shopper(t)
	before, r := s.add(t, p, 2)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	h.restart(t)
	after := s.cart(t)
	if after.ID != before.ID || held(after, p) != 2 || after.Total != 110 {
		t.Fatalf("cart after restart = %+v, want %+v", after, before)
	}
	o, r := s.checkout(t)
	if len(r.Errors) > 0 || o.ID != before.ID || o.Status != "CONFIRMED" || h.inv.Stock(p) != 3 {
		t.Fatalf("checkout after restart: %+v %+v (stock %d)", o, r.Errors, h.inv.Stock(p))
	}
	checkCartInvariant(t, h, []shopper{s}, p)
}

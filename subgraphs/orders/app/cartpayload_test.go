package app_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

type cartPayloadView struct {
	Cart  *cartView
	Order *struct {
		ID     string `json:"_id"`
		Status string
	}
	Errors []orderErrorView
}

const cartPayloadFields = `cart { ` + cartFields + ` } order { _id status } errors { field code message }`

func (s shopper) linesOp(t *testing.T, op string, lines []map[string]any) (cartPayloadView, gqlResp) {
	t.Helper()
	var out map[string]cartPayloadView
	r := s.h.do(t, s.auth, `mutation($l: [CartLineInput!]!){ `+op+`(lines: $l){ `+cartPayloadFields+` } }`, map[string]any{"l": lines}, &out)
	return out[op], r
}

func cl(id string, q int) map[string]any { return map[string]any{"productId": id, "quantity": q} }

// The typed cart mutations change several lines all or none and report
// business failures as data; the cart is left as it was.
func TestCartPayloads(t *testing.T) {
	t.Parallel()
	h := start(t)
	p, q := h.inv.AddProduct(100, 10), h.inv.AddProduct(40, 3)
	s := h.shopper(t)

	got, r := s.linesOp(t, "cartLinesAdd", []map[string]any{cl(p, 2), cl(q, 1)})
	if len(r.Errors) > 0 || len(got.Errors) != 0 || got.Cart == nil || len(got.Cart.Lines) != 2 || got.Cart.Total != 240 {
		t.Fatalf("add two lines: %+v %+v", got, r.Errors)
	}
	if h.inv.Stock(p) != 8 || h.inv.Stock(q) != 2 {
		t.Fatalf("stock after add: %d %d", h.inv.Stock(p), h.inv.Stock(q))
	}

	// One line cannot be held: neither changes.
	for _, tc := range []struct {
		name, op string
		lines    []map[string]any
		code     string
		field    string
	}{
		{"short of q", "cartLinesAdd", []map[string]any{cl(p, 1), cl(q, 5)}, "INSUFFICIENT_STOCK", "lines"},
		{"beyond the per-product limit", "cartLinesAdd", []map[string]any{cl(p, 19)}, "CART_LIMIT_EXCEEDED", "lines"},
		{"zero to add", "cartLinesAdd", []map[string]any{cl(p, 1), cl(q, 0)}, "INVALID_QUANTITY", "lines.1.quantity"},
		{"same product twice", "cartLinesUpdate", []map[string]any{cl(p, 1), cl(p, 2)}, "DUPLICATE_LINE", "lines.1.productId"},
		{"bad id", "cartLinesUpdate", []map[string]any{cl("nope", 1)}, "INVALID", "lines.0.productId"},
		{"no lines", "cartLinesUpdate", []map[string]any{}, "REQUIRED", "lines"},
		{"unknown product", "cartLinesAdd", []map[string]any{cl(p, 1), cl(primitive.NewObjectID().Hex(), 1)}, "NOT_FOUND", "lines"},
	} {
		got, r := s.linesOp(t, tc.op, tc.lines)
		if len(r.Errors) > 0 || len(got.Errors) == 0 || got.Errors[0].Code != tc.code || got.Errors[0].Field == nil || *got.Errors[0].Field != tc.field {
			t.Fatalf("%s: %+v %+v, want %s at %s", tc.name, got, r.Errors, tc.code, tc.field)
		}
		if got.Cart == nil || len(got.Cart.Lines) != 2 || got.Cart.Total != 240 {
			t.Fatalf("%s: cart changed: %+v", tc.name, got.Cart)
		}
		if h.inv.Stock(p) != 8 || h.inv.Stock(q) != 2 {
			t.Fatalf("%s: stock changed: %d %d", tc.name, h.inv.Stock(p), h.inv.Stock(q))
		}
	}

	got, r = s.linesOp(t, "cartLinesUpdate", []map[string]any{cl(p, 5), cl(q, 0)})
	if len(r.Errors) > 0 || len(got.Errors) != 0 || len(got.Cart.Lines) != 1 || got.Cart.Total != 500 || h.inv.Stock(q) != 3 {
		t.Fatalf("update: %+v %+v", got, r.Errors)
	}
	var removed struct{ CartLinesRemove cartPayloadView }
	r = h.do(t, s.auth, `mutation($ids: [ID!]!){ cartLinesRemove(productIds: $ids){ `+cartPayloadFields+` } }`, map[string]any{"ids": []string{p}}, &removed)
	if len(r.Errors) > 0 || len(removed.CartLinesRemove.Errors) != 0 || len(removed.CartLinesRemove.Cart.Lines) != 0 || h.inv.Stock(p) != 10 {
		t.Fatalf("remove: %+v %+v", removed, r.Errors)
	}

	const checkout = `mutation { cartCheckout { ` + cartPayloadFields + ` } }`
	var co struct{ CartCheckout cartPayloadView }
	r = h.do(t, s.auth, checkout, nil, &co)
	if len(r.Errors) > 0 || len(co.CartCheckout.Errors) != 1 || co.CartCheckout.Errors[0].Code != "CART_EMPTY" {
		t.Fatalf("empty checkout: %+v %+v", co, r.Errors)
	}
	s.linesOp(t, "cartLinesAdd", []map[string]any{cl(p, 3)})
	co = struct{ CartCheckout cartPayloadView }{}
	r = h.do(t, s.auth, checkout, nil, &co)
	if len(r.Errors) > 0 || len(co.CartCheckout.Errors) != 0 || co.CartCheckout.Order == nil || co.CartCheckout.Order.Status != "CONFIRMED" ||
		co.CartCheckout.Cart == nil || len(co.CartCheckout.Cart.Lines) != 0 {
		t.Fatalf("checkout: %+v %+v", co, r.Errors)
	}
	if h.inv.Stock(p) != 7 {
		t.Fatalf("stock after checkout %d, want 7", h.inv.Stock(p))
	}
	if err := h.inv.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
}

// A checkout whose hold expired and whose units went to someone else is
// CART_EXPIRED, and nothing is converted.
func TestCartCheckoutExpired(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.inv.SetHoldTTL(time.Nanosecond)
	p := h.inv.AddProduct(100, 2)
	a, b := h.shopper(t), h.shopper(t)
	if got, r := a.linesOp(t, "cartLinesAdd", []map[string]any{cl(p, 2)}); len(r.Errors) > 0 || len(got.Errors) > 0 {
		t.Fatalf("a adds: %+v %+v", got, r.Errors)
	}
	// a's hold has lapsed (it lasts a nanosecond): b buys the units.
	var placed struct{ PlaceOrder orderView }
	if r := h.do(t, b.auth, `mutation($id: String!){ placeOrder(products: [{_id: $id, quantity: 2}]){ _id status } }`, map[string]any{"id": p}, &placed); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var co struct{ CartCheckout cartPayloadView }
	r := h.do(t, a.auth, `mutation { cartCheckout { `+cartPayloadFields+` } }`, nil, &co)
	if len(r.Errors) > 0 || co.CartCheckout.Order != nil || len(co.CartCheckout.Errors) != 1 || co.CartCheckout.Errors[0].Code != "CART_EXPIRED" {
		t.Fatalf("expired checkout: %+v %+v", co, r.Errors)
	}
	if co.CartCheckout.Cart == nil || len(co.CartCheckout.Cart.Lines) != 1 {
		t.Fatalf("cart after a refused checkout: %+v", co.CartCheckout.Cart)
	}
}

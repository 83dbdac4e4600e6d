package app_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// variantCart is a cart with each line's variant.
type variantCart struct {
	Total int
	Lines []struct {
		ID        string `json:"_id"`
		VariantID *string
		Variant   *struct{ ID string }
		Quantity  int
		Held      int
		UnitPrice int
	}
}

const variantCartFields = `total lines { _id variantId variant { id } quantity held unitPrice }`

// A cart line is a product's variant: two variants of one product are two
// lines, each held from its own stock at its own price, limits count each
// line's units, and checkout reserves the held variants. Without variantId
// the default variant is meant, as before carts held variants.
func TestCartHoldsVariants(t *testing.T) {
	t.Parallel()
	h := start(t)
	shirt := h.inv.AddProduct(1500, 10)
	large := h.inv.AddVariant(shirt, 1800, 3)
	s := h.shopper(t)
	add := func(variant any, q int) (variantCart, gqlResp) {
		t.Helper()
		var out struct{ AddToCart variantCart }
		r := h.do(t, s.auth, `mutation($p: ID!, $q: Int!, $v: ID){ addToCart(productId: $p, quantity: $q, variantId: $v){ `+variantCartFields+` } }`,
			map[string]any{"p": shirt, "q": q, "v": variant}, &out)
		return out.AddToCart, r
	}

	if _, r := add(nil, 2); len(r.Errors) > 0 {
		t.Fatalf("add default variant: %+v", r.Errors)
	}
	c, r := add(large, 2)
	if len(r.Errors) > 0 {
		t.Fatalf("add variant: %+v", r.Errors)
	}
	if len(c.Lines) != 2 || c.Total != 2*1500+2*1800 {
		t.Fatalf("cart with two variants = %+v, want two lines totalling %d", c, 2*1500+2*1800)
	}
	for _, l := range c.Lines {
		wantPrice, isVariant := 1500, l.VariantID != nil
		if isVariant {
			wantPrice = 1800
			if *l.VariantID != large || l.Variant == nil || l.Variant.ID != large {
				t.Fatalf("variant line = %+v, want variant %s", l, large)
			}
		}
		if l.ID != shirt || l.Quantity != 2 || l.Held != 2 || l.UnitPrice != wantPrice {
			t.Fatalf("line = %+v, want 2 held of %s at %d", l, shirt, wantPrice)
		}
	}
	if h.inv.Stock(shirt) != 8 || h.inv.Stock(large) != 1 || h.inv.CartHeld(large) != 2 {
		t.Fatalf("stock: default %d large %d (held %d), want 8 and 1 (2)", h.inv.Stock(shirt), h.inv.Stock(large), h.inv.CartHeld(large))
	}

	// Naming the default variant by the product's id is the default line.
	if c, r := add(shirt, 1); len(r.Errors) > 0 || len(c.Lines) != 2 {
		t.Fatalf("default variant by id: %+v %+v", c, r.Errors)
	}
	// More than the variant has left is refused; the cart stays.
	if _, r := add(large, 2); code(r) != "INSUFFICIENT_STOCK" {
		t.Fatalf("over the variant's stock: %+v, want INSUFFICIENT_STOCK", r.Errors)
	}
	// Typed changes name the variant too; a blank one is bad input.
	var typed struct {
		CartLinesUpdate struct {
			Cart   *variantCart
			Errors []orderErrorView
		}
	}
	const update = `mutation($l: [CartLineInput!]!){ cartLinesUpdate(lines: $l){ cart { ` + variantCartFields + ` } errors { field code message } } }`
	r = h.do(t, s.auth, update, map[string]any{"l": []any{map[string]any{"productId": shirt, "variantId": "  ", "quantity": 1}}}, &typed)
	if len(r.Errors) > 0 || len(typed.CartLinesUpdate.Errors) != 1 || typed.CartLinesUpdate.Errors[0].Code != "INVALID" {
		t.Fatalf("blank variant: %+v %+v", typed.CartLinesUpdate, r.Errors)
	}
	r = h.do(t, s.auth, update, map[string]any{"l": []any{map[string]any{"productId": shirt, "variantId": large, "quantity": 3}}}, &typed)
	if len(r.Errors) > 0 || len(typed.CartLinesUpdate.Errors) != 0 || h.inv.Stock(large) != 0 || h.inv.Stock(shirt) != 7 {
		t.Fatalf("set the variant line to 3: %+v %+v; stock large %d default %d", typed.CartLinesUpdate, r.Errors, h.inv.Stock(large), h.inv.Stock(shirt))
	}

	var out struct {
		Checkout struct {
			Status   string
			Total    int
			Products []struct {
				ID        string `json:"_id"`
				VariantID *string
				Quantity  int
			}
		}
	}
	r = h.do(t, s.auth, `mutation { checkout { status total products { _id variantId quantity } } }`, nil, &out)
	o := out.Checkout
	if len(r.Errors) > 0 || o.Status != "CONFIRMED" || len(o.Products) != 2 || o.Total != 3*1500+3*1800 {
		t.Fatalf("checkout: %+v %+v, want CONFIRMED with two lines totalling %d", o, r.Errors, 3*1500+3*1800)
	}
	// The held units became the order's: nothing held, nothing taken twice.
	if h.inv.Stock(shirt) != 7 || h.inv.Stock(large) != 0 || h.inv.CartHeld(large) != 0 || h.inv.CartHeld(shirt) != 0 {
		t.Fatalf("after checkout: default %d large %d, held %d/%d", h.inv.Stock(shirt), h.inv.Stock(large), h.inv.CartHeld(shirt), h.inv.CartHeld(large))
	}
	if err := h.inv.CheckInvariant(); err != nil {
		t.Fatal(err)
	}

	// The next cart: cartLinesRemove takes out every variant of a product,
	// removeFromCart one variant.
	if _, r := add(nil, 1); len(r.Errors) > 0 {
		t.Fatalf("add: %+v", r.Errors)
	}
	small := h.inv.AddVariant(shirt, 1200, 4)
	if _, r := add(small, 2); len(r.Errors) > 0 {
		t.Fatalf("add small: %+v", r.Errors)
	}
	var rm struct{ RemoveFromCart variantCart }
	r = h.do(t, s.auth, `mutation($p: ID!, $v: ID){ removeFromCart(productId: $p, variantId: $v){ `+variantCartFields+` } }`, map[string]any{"p": shirt, "v": small}, &rm)
	if len(r.Errors) > 0 || len(rm.RemoveFromCart.Lines) != 1 || rm.RemoveFromCart.Lines[0].VariantID != nil || h.inv.Stock(small) != 4 {
		t.Fatalf("removeFromCart(small) = %+v %+v, small stock %d", rm.RemoveFromCart, r.Errors, h.inv.Stock(small))
	}
	if _, r := add(small, 2); len(r.Errors) > 0 {
		t.Fatalf("add small again: %+v", r.Errors)
	}
	var removed struct {
		CartLinesRemove struct {
			Cart   *variantCart
			Errors []orderErrorView
		}
	}
	r = h.do(t, s.auth, `mutation($ids: [ID!]!){ cartLinesRemove(productIds: $ids){ cart { `+variantCartFields+` } errors { field code message } } }`, map[string]any{"ids": []string{shirt}}, &removed)
	if len(r.Errors) > 0 || len(removed.CartLinesRemove.Errors) != 0 || removed.CartLinesRemove.Cart == nil || len(removed.CartLinesRemove.Cart.Lines) != 0 {
		t.Fatalf("cartLinesRemove(shirt) = %+v %+v", removed.CartLinesRemove, r.Errors)
	}
	if h.inv.Stock(small) != 4 || h.inv.Stock(shirt) != 7 {
		t.Fatalf("after removal: small %d default %d, want 4 and 7", h.inv.Stock(small), h.inv.Stock(shirt))
	}
	if err := h.inv.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
}

// An order may name two variants of one product, one line each; naming
// the default variant by the product's id and leaving it out is one
// variant twice.
func TestOrderTwoVariantsOfOneProduct(t *testing.T) {
	t.Parallel()
	h := start(t)
	shirt := h.inv.AddProduct(1500, 5)
	large := h.inv.AddVariant(shirt, 1800, 3)
	auth := h.bearer(t, primitive.NewObjectID().Hex())
	var out struct {
		OrderCreate struct {
			Order *struct {
				Status string
				Total  int
			}
			Errors []orderErrorView
		}
	}
	const create = `mutation($in: OrderCreateInput!){ orderCreate(input: $in){ order { status total } errors { field code message } } }`
	lines := func(ls ...any) map[string]any { return map[string]any{"in": map[string]any{"products": ls}} }
	r := h.do(t, auth, create, lines(map[string]any{"_id": shirt, "quantity": 1}, map[string]any{"_id": shirt, "variantId": shirt, "quantity": 1}), &out)
	if len(r.Errors) > 0 || out.OrderCreate.Order != nil || len(out.OrderCreate.Errors) != 1 || out.OrderCreate.Errors[0].Code != "DUPLICATE_LINE" {
		t.Fatalf("default variant twice: %+v %+v", out.OrderCreate, r.Errors)
	}
	r = h.do(t, auth, create, lines(map[string]any{"_id": shirt, "quantity": 2}, map[string]any{"_id": shirt, "variantId": large, "quantity": 1}), &out)
	if o := out.OrderCreate.Order; len(r.Errors) > 0 || o == nil || o.Status != "CONFIRMED" || o.Total != 2*1500+1800 {
		t.Fatalf("two variants: %+v %+v", out.OrderCreate, r.Errors)
	}
	if h.inv.Stock(shirt) != 3 || h.inv.Stock(large) != 2 {
		t.Fatalf("stock: default %d large %d, want 3 and 2", h.inv.Stock(shirt), h.inv.Stock(large))
	}
}

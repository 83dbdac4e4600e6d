package app_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// An order line may name a variant: products reserves that variant's
// units at its price and the order shows which one; without variantId the
// default variant is bought, as the seed does.
func TestOrderVariant(t *testing.T) {
	t.Parallel()
	h := start(t)
	shirt := h.inv.AddProduct(1500, 5)
	large := h.inv.AddVariant(shirt, 1800, 3)
	auth := h.bearer(t, primitive.NewObjectID().Hex())
	type lineView struct {
		ID             string `json:"_id"`
		VariantID      *string
		Variant        *struct{ ID string }
		Quantity       int
		UnitPriceMoney struct{ Amount string }
	}
	var out struct {
		OrderCreate struct {
			Order *struct {
				ID       string `json:"_id"`
				Status   string
				Products []lineView
			}
			Errors []orderErrorView
		}
	}
	const create = `mutation($in: OrderCreateInput!){ orderCreate(input: $in){ order { _id status products { _id variantId variant { id } quantity unitPriceMoney { amount } } } errors { field code message } } }`
	in := func(variant any, q int, key string) map[string]any {
		l := map[string]any{"_id": shirt, "quantity": q}
		if variant != nil {
			l["variantId"] = variant
		}
		m := map[string]any{"products": []any{l}}
		if key != "" {
			m["idempotencyKey"] = key
		}
		return map[string]any{"in": m}
	}

	r := h.do(t, auth, create, in(large, 2, "k"), &out)
	o := out.OrderCreate.Order
	if len(r.Errors) > 0 || o == nil || o.Status != "CONFIRMED" || len(o.Products) != 1 {
		t.Fatalf("variant order: %+v %+v", out.OrderCreate, r.Errors)
	}
	l := o.Products[0]
	if l.VariantID == nil || *l.VariantID != large || l.Variant == nil || l.Variant.ID != large || l.UnitPriceMoney.Amount != "1800" {
		t.Fatalf("variant line = %+v", l)
	}
	if h.inv.Stock(large) != 1 || h.inv.Stock(shirt) != 5 {
		t.Fatalf("stock: large %d default %d, want 1 and 5", h.inv.Stock(large), h.inv.Stock(shirt))
	}
	// The same key for another variant is another order: refused.
	r = h.do(t, auth, create, in(nil, 2, "k"), &out)
	if len(r.Errors) > 0 || len(out.OrderCreate.Errors) != 1 || out.OrderCreate.Errors[0].Code != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused for the default variant: %+v %+v", out.OrderCreate, r.Errors)
	}

	// The seed's shape buys the default variant.
	var seed struct {
		PlaceOrder *struct{ Products []lineView }
	}
	r = h.do(t, auth, `mutation($id: String!){ placeOrder(products: [{_id: $id, quantity: 1}]){ products { _id variantId variant { id } quantity unitPriceMoney { amount } } } }`, map[string]any{"id": shirt}, &seed)
	if len(r.Errors) > 0 || seed.PlaceOrder == nil || seed.PlaceOrder.Products[0].VariantID != nil || seed.PlaceOrder.Products[0].UnitPriceMoney.Amount != "1500" {
		t.Fatalf("default variant order: %+v %+v", seed, r.Errors)
	}
	if h.inv.Stock(shirt) != 4 || h.inv.Stock(large) != 1 {
		t.Fatalf("stock after the default order: default %d large %d", h.inv.Stock(shirt), h.inv.Stock(large))
	}

	// An unknown variant, or more than the variant has, is refused as data.
	for _, tc := range []struct {
		variant any
		q       int
		code    string
	}{
		{"var-unknown", 1, "NOT_FOUND"},
		{large, 2, "INSUFFICIENT_STOCK"},
	} {
		r = h.do(t, auth, create, in(tc.variant, tc.q, ""), &out)
		if len(r.Errors) > 0 || out.OrderCreate.Order != nil || len(out.OrderCreate.Errors) != 1 || out.OrderCreate.Errors[0].Code != tc.code {
			t.Fatalf("variant %v x%d: %+v %+v, want %s", tc.variant, tc.q, out.OrderCreate, r.Errors, tc.code)
		}
	}

	// Cancelling gives the variant's units back.
	var cancelled struct{ CancelOrder struct{ Status string } }
	if r := h.do(t, auth, `mutation($id: ID!){ cancelOrder(id: $id){ status } }`, map[string]any{"id": o.ID}, &cancelled); len(r.Errors) > 0 || cancelled.CancelOrder.Status != "CANCELLED" {
		t.Fatalf("cancel: %+v %+v", cancelled, r.Errors)
	}
	if h.inv.Stock(large) != 3 {
		t.Fatalf("large stock after cancel %d, want 3", h.inv.Stock(large))
	}
	if err := h.inv.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
}

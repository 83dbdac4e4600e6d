package app_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

type orderErrorView struct {
	Field   *string
	Code    string
	Message string
}

type createView struct {
	OrderCreate struct {
		Order *struct {
			ID         string `json:"_id"`
			Status     string
			TotalMoney struct{ Amount string }
		}
		Errors []orderErrorView
	}
}

const orderCreate = `mutation($in: OrderCreateInput!){ orderCreate(input: $in){ order { _id status totalMoney { amount } } errors { field code message } } }`

// orderCreate returns business failures as data with a field and a code,
// and reserves nothing when it does.
func TestOrderCreatePayload(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(250, 5)
	auth := h.bearer(t, primitive.NewObjectID().Hex())
	line := func(id string, q int) map[string]any { return map[string]any{"_id": id, "quantity": q} }
	missing := primitive.NewObjectID().Hex()
	for _, tc := range []struct {
		name  string
		lines []map[string]any
		code  string
		field string
	}{
		{"no lines", []map[string]any{}, "REQUIRED", "input.products"},
		{"zero units", []map[string]any{line(p, 0)}, "INVALID_QUANTITY", "input.products.0.quantity"},
		{"too many units", []map[string]any{line(p, 1001)}, "INVALID_QUANTITY", "input.products.0.quantity"},
		{"bad id", []map[string]any{line("nope", 1)}, "INVALID", "input.products.0._id"},
		{"same product twice", []map[string]any{line(p, 1), line(p, 2)}, "DUPLICATE_LINE", "input.products.1._id"},
		{"unknown product", []map[string]any{line(missing, 1)}, "NOT_FOUND", ""},
		{"more than in stock", []map[string]any{line(p, 6)}, "INSUFFICIENT_STOCK", "input.products"},
	} {
		var out createView
		r := h.do(t, auth, orderCreate, map[string]any{"in": map[string]any{"products": tc.lines}}, &out)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: top-level errors %+v", tc.name, r.Errors)
		}
		got := out.OrderCreate
		if got.Order != nil || len(got.Errors) != 1 || got.Errors[0].Code != tc.code || got.Errors[0].Message == "" {
			t.Fatalf("%s: %+v, want one %s error", tc.name, got, tc.code)
		}
		if f := got.Errors[0].Field; tc.field != "" && (f == nil || *f != tc.field) {
			t.Fatalf("%s: field %v, want %s", tc.name, f, tc.field)
		}
		if h.inv.Stock(p) != 5 {
			t.Fatalf("%s: stock %d, want 5 (nothing reserved)", tc.name, h.inv.Stock(p))
		}
	}

	var out createView
	r := h.do(t, auth, orderCreate, map[string]any{"in": map[string]any{"products": []map[string]any{line(p, 2)}, "idempotencyKey": "k1"}}, &out)
	got := out.OrderCreate
	if len(r.Errors) > 0 || got.Order == nil || got.Order.Status != "CONFIRMED" || got.Order.TotalMoney.Amount != "500" || len(got.Errors) != 0 {
		t.Fatalf("order: %+v %+v", got, r.Errors)
	}
	if h.inv.Stock(p) != 3 {
		t.Fatalf("stock %d, want 3", h.inv.Stock(p))
	}
	// The same key with other products is refused as data.
	r = h.do(t, auth, orderCreate, map[string]any{"in": map[string]any{"products": []map[string]any{line(p, 1)}, "idempotencyKey": "k1"}}, &out)
	if len(r.Errors) > 0 || len(out.OrderCreate.Errors) != 1 || out.OrderCreate.Errors[0].Code != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused: %+v %+v", out.OrderCreate, r.Errors)
	}
	// Without a token it is a top-level UNAUTHENTICATED, as for placeOrder.
	if r := h.do(t, nil, orderCreate, map[string]any{"in": map[string]any{"products": []map[string]any{line(p, 1)}}}, nil); code(r) != "UNAUTHENTICATED" {
		t.Fatalf("anonymous: %+v", r.Errors)
	}
}

// orderCancel is for staff: it cancels anyone's CONFIRMED order and gives
// the stock back; customers are FORBIDDEN naming the scope.
func TestStaffOrderCancel(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(100, 10)
	alice := h.bearer(t, primitive.NewObjectID().Hex())
	admin := map[string]string{"x-api-key": secret}
	ids := h.placeN(t, alice, p, 4)
	const cancel = `mutation($id: ID!){ orderCancel(id: $id){ order { _id status } errors { field code message } } }`
	type view struct {
		OrderCancel *struct {
			Order  *struct{ ID, Status string }
			Errors []orderErrorView
		}
	}

	var out view
	r := h.do(t, alice, cancel, map[string]any{"id": ids[0]}, &out)
	if code(r) != "FORBIDDEN" || r.Errors[0].Extensions["requiredScopes"] == nil {
		t.Fatalf("customer: %+v", r.Errors)
	}
	if r := h.do(t, nil, cancel, map[string]any{"id": ids[0]}, nil); code(r) != "UNAUTHENTICATED" {
		t.Fatalf("anonymous: %+v", r.Errors)
	}
	if h.inv.Stock(p) != 6 {
		t.Fatalf("refused cancels changed stock: %d", h.inv.Stock(p))
	}

	for i := range 2 { // the second cancel returns the cancelled order unchanged
		out = view{}
		r = h.do(t, admin, cancel, map[string]any{"id": ids[0]}, &out)
		if len(r.Errors) > 0 || out.OrderCancel.Order == nil || out.OrderCancel.Order.Status != "CANCELLED" || len(out.OrderCancel.Errors) != 0 {
			t.Fatalf("cancel %d: %+v %+v", i, out.OrderCancel, r.Errors)
		}
		if h.inv.Stock(p) != 10 {
			t.Fatalf("cancel %d: stock %d, want 10", i, h.inv.Stock(p))
		}
	}

	// A REJECTED order cannot be cancelled; unknown and malformed ids are data too.
	var rejected createView
	h.do(t, alice, orderCreate, map[string]any{"in": map[string]any{"products": []map[string]any{{"_id": p, "quantity": 11}}}}, &rejected)
	c, _ := h.conn(t, admin, "first: 1, filter: {status: REJECTED}")
	if len(c.Edges) != 1 {
		t.Fatalf("rejected order not listed: %+v", c)
	}
	for _, tc := range []struct{ id, code string }{
		{c.Edges[0].Node.ID, "INVALID_STATUS"},
		{primitive.NewObjectID().Hex(), "NOT_FOUND"},
		{"nope", "INVALID"},
	} {
		out = view{}
		r = h.do(t, admin, cancel, map[string]any{"id": tc.id}, &out)
		if len(r.Errors) > 0 || out.OrderCancel.Order != nil || len(out.OrderCancel.Errors) != 1 || out.OrderCancel.Errors[0].Code != tc.code {
			t.Fatalf("cancel %s: %+v %+v, want %s", tc.id, out.OrderCancel, r.Errors, tc.code)
		}
	}
}

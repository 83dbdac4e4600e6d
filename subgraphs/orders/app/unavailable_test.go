package app_test

import (
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestDatabaseOutageIsUnavailable stops the database under a running
// service: every operation that needs it answers SERVICE_UNAVAILABLE with
// advice, never an internal error or a driver message; placeOrder names
// the order it may have left PENDING.
func TestDatabaseOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	env := testenv.Fresh(t)
	h := startOn(t, env)
	const alice = "65a000000000000000000011"
	choc := h.inv.AddProduct(20, 10)
	var placed struct {
		PlaceOrder struct {
			ID string `json:"_id"`
		} `json:"placeOrder"`
	}
	if r := h.do(t, h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": choc, "q": 1}, &placed); len(r.Errors) > 0 {
		t.Fatalf("place before the outage: %+v", r.Errors)
	}
	env.Stack.Close()

	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		advice  string
		orderID bool
	}{
		{"placeOrder", seedPlaceOrder, map[string]any{"id": choc, "q": 1}, "PENDING", true},
		{"orders", `{ orders { _id } }`, nil, "try again", false},
		{"order", `query($id: ID!) { order(id: $id) { _id } }`, map[string]any{"id": placed.PlaceOrder.ID}, "try again", false},
		{"cancelOrder", `mutation($id: ID!) { cancelOrder(id: $id) { _id } }`, map[string]any{"id": placed.PlaceOrder.ID}, "try again", false},
		{"cart", `{ cart { _id } }`, nil, "try again", false},
		{"checkout", `mutation { checkout { _id } }`, nil, "try again", false},
		{"_entities", `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { _id } } } }`,
			map[string]any{"r": []any{map[string]any{"__typename": "User", "_id": alice}}}, "try again", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := h.do(t, h.bearer(t, alice), tc.query, tc.vars, nil)
			if code(r) != "SERVICE_UNAVAILABLE" {
				t.Fatalf("errors %+v, want SERVICE_UNAVAILABLE", r.Errors)
			}
			msg := r.Errors[0].Message
			if !strings.Contains(msg, tc.advice) || strings.Contains(msg, "server selection") || strings.Contains(msg, "deadline") {
				t.Fatalf("message %q: want advice %q and no driver detail", msg, tc.advice)
			}
			if id, _ := r.Errors[0].Extensions["orderId"].(string); tc.orderID && (id == "" || !strings.Contains(msg, id)) {
				t.Fatalf("extensions %+v: want the pending order's id", r.Errors[0].Extensions)
			}
		})
	}
}

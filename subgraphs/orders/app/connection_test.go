package app_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

const connFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { _id userId status total createdAt totalMoney { amount currency } } }`

type connView struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Edges []struct {
		Cursor string
		Node   struct {
			ID         string `json:"_id"`
			UserID     string
			Status     string
			Total      int
			CreatedAt  string
			TotalMoney struct{ Amount, Currency string }
		}
	}
}

func (c connView) ids() []string {
	out := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node.ID
	}
	return out
}

// conn runs ordersConnection with args (a GraphQL argument list without
// parentheses, may be empty).
func (h *harness) conn(t *testing.T, headers map[string]string, args string) (connView, gqlResp) {
	t.Helper()
	if args != "" {
		args = "(" + args + ")"
	}
	var out struct{ OrdersConnection connView }
	r := h.do(t, headers, `{ ordersConnection`+args+` { `+connFields+` } }`, nil, &out)
	return out.OrdersConnection, r
}

// placeN places one order per quantity for the user and returns the ids
// in placement order.
func (h *harness) placeN(t *testing.T, auth map[string]string, product string, quantities ...int) []string {
	t.Helper()
	ids := make([]string, len(quantities))
	for i, q := range quantities {
		var out struct {
			PlaceOrder struct {
				ID string `json:"_id"`
			}
		}
		r := h.do(t, auth, `mutation($id: String!, $q: Int!){ placeOrder(products: [{_id: $id, quantity: $q}]){ _id } }`, map[string]any{"id": product, "q": q}, &out)
		if len(r.Errors) > 0 {
			t.Fatalf("place: %+v", r.Errors)
		}
		ids[i] = out.PlaceOrder.ID
	}
	return ids
}

// Customers page through their own orders; staff through everyone's,
// filtered and sorted; every cursor resumes exactly where it left off.
func TestOrdersConnection(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(150, 1000)
	alice, bob := primitive.NewObjectID().Hex(), primitive.NewObjectID().Hex()
	aliceAuth, bobAuth := h.bearer(t, alice), h.bearer(t, bob)
	aliceOrders := h.placeN(t, aliceAuth, p, 3, 1, 5, 2, 4)
	bobOrders := h.placeN(t, bobAuth, p, 7, 6)
	admin := map[string]string{"x-api-key": secret}

	// Forward pages of two, newest first, until the end.
	var seen []string
	after := ""
	for page := 0; ; page++ {
		args := "first: 2"
		if after != "" {
			args += fmt.Sprintf(", after: %q", after)
		}
		c, r := h.conn(t, aliceAuth, args)
		if len(r.Errors) > 0 {
			t.Fatalf("page %d: %+v", page, r.Errors)
		}
		if c.TotalCount != 5 || c.PageInfo.HasPreviousPage != (page > 0) {
			t.Fatalf("page %d: totalCount %d hasPreviousPage %v", page, c.TotalCount, c.PageInfo.HasPreviousPage)
		}
		for _, e := range c.Edges {
			if e.Node.UserID != alice || e.Node.TotalMoney.Currency != "USD" || e.Node.TotalMoney.Amount != fmt.Sprint(e.Node.Total) {
				t.Fatalf("page %d: node %+v", page, e.Node)
			}
		}
		seen = append(seen, c.ids()...)
		if !c.PageInfo.HasNextPage {
			break
		}
		after = *c.PageInfo.EndCursor
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	want := slices.Clone(aliceOrders)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("forward pages = %v, want newest first %v", seen, want)
	}

	// Backwards from the end: the last two, in list order.
	c, r := h.conn(t, aliceAuth, "last: 2")
	if len(r.Errors) > 0 || !slices.Equal(c.ids(), want[3:]) || !c.PageInfo.HasPreviousPage || c.PageInfo.HasNextPage {
		t.Fatalf("last 2 = %v %+v %+v, want %v", c.ids(), c.PageInfo, r.Errors, want[3:])
	}
	before := *c.PageInfo.StartCursor
	c, r = h.conn(t, aliceAuth, fmt.Sprintf("last: 2, before: %q", before))
	if len(r.Errors) > 0 || !slices.Equal(c.ids(), want[1:3]) || !c.PageInfo.HasNextPage {
		t.Fatalf("last 2 before = %v %+v, want %v", c.ids(), r.Errors, want[1:3])
	}

	// A cursor stays valid when orders are added before it.
	c, _ = h.conn(t, aliceAuth, "first: 1")
	mark := *c.PageInfo.EndCursor
	h.placeN(t, aliceAuth, p, 1)
	c, r = h.conn(t, aliceAuth, fmt.Sprintf("first: 10, after: %q", mark))
	if len(r.Errors) > 0 || !slices.Equal(c.ids(), want[1:]) || c.TotalCount != 6 {
		t.Fatalf("after a new order = %v (total %d) %+v, want %v", c.ids(), c.TotalCount, r.Errors, want[1:])
	}

	// Sorted by total, ascending: quantities 1, 1 (the new one), 2, 3, 4, 5.
	c, r = h.conn(t, aliceAuth, "first: 100, sortBy: {field: TOTAL, direction: ASC}")
	if len(r.Errors) > 0 || len(c.Edges) != 6 {
		t.Fatalf("by total: %+v %+v", c, r.Errors)
	}
	for i := 1; i < len(c.Edges); i++ {
		if c.Edges[i-1].Node.Total > c.Edges[i].Node.Total {
			t.Fatalf("by total: not ascending at %d: %v", i, c.Edges)
		}
	}
	if c.Edges[5].Node.ID != aliceOrders[2] || c.Edges[5].Node.Total != 750 {
		t.Fatalf("by total: last = %+v, want %s at 750", c.Edges[5].Node, aliceOrders[2])
	}

	// Customers see only their own orders and may not ask for others'.
	c, r = h.conn(t, bobAuth, "first: 10")
	if len(r.Errors) > 0 || c.TotalCount != 2 || !slices.Equal(c.ids(), []string{bobOrders[1], bobOrders[0]}) {
		t.Fatalf("bob's orders = %v %+v", c.ids(), r.Errors)
	}
	_, r = h.conn(t, bobAuth, fmt.Sprintf("filter: {userId: %q}", alice))
	if code(r) != "FORBIDDEN" || fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]) != "[MANAGE_ORDERS]" {
		t.Fatalf("bob asking for alice's orders: %+v", r.Errors)
	}
	if _, r = h.conn(t, nil, "first: 1"); code(r) != "UNAUTHENTICATED" {
		t.Fatalf("anonymous: %+v", r.Errors)
	}

	// Staff see everyone's, filterable by user, status and time.
	c, r = h.conn(t, admin, "first: 100")
	if len(r.Errors) > 0 || c.TotalCount != 8 || len(c.Edges) != 8 {
		t.Fatalf("admin: total %d edges %d %+v", c.TotalCount, len(c.Edges), r.Errors)
	}
	c, r = h.conn(t, admin, fmt.Sprintf("filter: {userId: %q}", bob))
	if len(r.Errors) > 0 || c.TotalCount != 2 {
		t.Fatalf("admin by user: %+v %+v", c, r.Errors)
	}
	var cancelled struct{ CancelOrder struct{ Status string } }
	if r := h.do(t, bobAuth, `mutation($id: ID!){ cancelOrder(id: $id){ status } }`, map[string]any{"id": bobOrders[0]}, &cancelled); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	c, r = h.conn(t, admin, "filter: {status: CANCELLED}")
	if len(r.Errors) > 0 || c.TotalCount != 1 || !slices.Equal(c.ids(), bobOrders[:1]) {
		t.Fatalf("admin by status: %v %+v", c.ids(), r.Errors)
	}
	c, r = h.conn(t, admin, `filter: {createdAt: {gte: "2100-01-01T00:00:00Z"}}`)
	if len(r.Errors) > 0 || c.TotalCount != 0 || len(c.Edges) != 0 || c.PageInfo.HasNextPage {
		t.Fatalf("admin in the future: %+v %+v", c, r.Errors)
	}
	c, r = h.conn(t, admin, `filter: {createdAt: {gte: "2000-01-01T00:00:00Z", lte: "2100-01-01T00:00:00Z"}}`)
	if len(r.Errors) > 0 || c.TotalCount != 8 {
		t.Fatalf("admin in range: %d %+v", c.TotalCount, r.Errors)
	}
}

// Bad paging arguments are BAD_USER_INPUT with a message that says what
// is allowed; nothing is truncated silently.
func TestOrdersConnectionRefusals(t *testing.T) {
	t.Parallel()
	h := start(t)
	auth := h.bearer(t, primitive.NewObjectID().Hex())
	p := h.inv.AddProduct(10, 10)
	h.placeN(t, auth, p, 1)
	c, _ := h.conn(t, auth, "first: 1")
	created := *c.PageInfo.EndCursor
	for _, tc := range []struct{ args, inMsg string }{
		{"first: 101", "100"},
		{"last: 101", "100"},
		{"first: -1", "100"},
		{"first: 1, last: 1", "not both"},
		{`after: "not a cursor"`, "after"},
		{`before: "@@@"`, "before"},
		{fmt.Sprintf("after: %q, sortBy: {field: TOTAL}", created), "sorted by TOTAL"},
		{`filter: {createdAt: {gte: "2026-02-01T00:00:00Z", lte: "2026-01-01T00:00:00Z"}}`, "after"},
		{`filter: {createdAt: {gte: "yesterday"}}`, "RFC 3339"},
	} {
		_, r := h.conn(t, auth, tc.args)
		if code(r) != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tc.inMsg) {
			t.Errorf("%s: %+v, want BAD_USER_INPUT mentioning %q", tc.args, r.Errors, tc.inMsg)
		}
	}
	// 100 is allowed.
	if c, r := h.conn(t, auth, "first: 100"); len(r.Errors) > 0 || c.TotalCount != 1 {
		t.Fatalf("first: 100: %+v %+v", c, r.Errors)
	}
}

// User.ordersConnection pages one user's orders for that user and staff,
// and is empty for anyone else.
func TestUserOrdersConnection(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(10, 100)
	alice := primitive.NewObjectID().Hex()
	aliceAuth := h.bearer(t, alice)
	ids := h.placeN(t, aliceAuth, p, 1, 2, 3)
	q := `query($r: [_Any!]!){ _entities(representations: $r){ ... on User { ordersConnection(first: 2) { totalCount nodes { _id } pageInfo { hasNextPage } } } } }`
	vars := map[string]any{"r": []map[string]any{{"__typename": "User", "_id": alice}}}
	type view struct {
		Entities []struct {
			OrdersConnection struct {
				TotalCount int
				Nodes      []struct {
					ID string `json:"_id"`
				}
				PageInfo struct{ HasNextPage bool }
			}
		} `json:"_entities"`
	}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		total   int
	}{
		{"owner", aliceAuth, 3},
		{"admin", map[string]string{"x-api-key": secret}, 3},
		{"someone else", h.bearer(t, primitive.NewObjectID().Hex()), 0},
	} {
		var out view
		r := h.do(t, tc.headers, q, vars, &out)
		if len(r.Errors) > 0 || len(out.Entities) != 1 {
			t.Fatalf("%s: %+v", tc.name, r.Errors)
		}
		got := out.Entities[0].OrdersConnection
		if got.TotalCount != tc.total {
			t.Fatalf("%s: totalCount %d, want %d", tc.name, got.TotalCount, tc.total)
		}
		if tc.total > 0 && (len(got.Nodes) != 2 || got.Nodes[0].ID != ids[2] || !got.PageInfo.HasNextPage) {
			t.Fatalf("%s: %+v", tc.name, got)
		}
	}
}

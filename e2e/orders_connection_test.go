package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

type orderPageView struct {
	OrdersConnection struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Nodes []struct {
			ID         string `json:"_id"`
			Status     string
			CreatedAt  string
			TotalMoney struct{ Amount, Currency string }
			Products   []struct {
				ID        string `json:"_id"`
				LineTotal struct{ Amount string }
				Product   *struct{ Name string }
			}
		}
	}
}

const orderPage = `query($first: Int, $after: String, $filter: OrderFilter) {
  ordersConnection(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { _id status createdAt totalMoney { amount currency } products { _id lineTotal { amount } product { name } } }
  }
}`

// TestTypedOrderingJourney orders through the router with the typed
// orderCreate payload (default variant) and reads the orders back page by
// page with ordersConnection, product names resolved by federation.
func TestTypedOrderingJourney(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	tea := s.createProduct(ctx, "connection tea", 120, 5)
	cake := s.createProduct(ctx, "connection cake", 300, 2)
	buyer := s.register(ctx, "typed")

	const create = `mutation($in: OrderCreateInput!) { orderCreate(input: $in) { order { _id status totalMoney { amount currency } } errors { field code message } } }`
	type createView struct {
		OrderCreate struct {
			Order *struct {
				ID         string `json:"_id"`
				Status     string
				TotalMoney struct{ Amount, Currency string }
			}
			Errors []struct {
				Field   *string
				Code    string
				Message string
			}
		}
	}
	lines := func(ls ...any) map[string]any { return map[string]any{"in": map[string]any{"products": ls}} }
	line := func(id string, q int) map[string]any { return map[string]any{"_id": id, "quantity": q} }

	var ok createView
	s.must(ctx, create, lines(line(tea.ID, 2), line(cake.ID, 1)), buyer.auth(), &ok)
	if ok.OrderCreate.Order == nil {
		t.Fatalf("orderCreate = %+v", ok.OrderCreate)
	}
	o := *ok.OrderCreate.Order
	if o.Status != "CONFIRMED" || o.TotalMoney.Amount != "540" || o.TotalMoney.Currency != "USD" || len(ok.OrderCreate.Errors) != 0 {
		t.Fatalf("orderCreate = %+v", ok.OrderCreate)
	}
	// More cake than there is: a typed error, no top-level error, nothing reserved.
	var short createView
	s.must(ctx, create, lines(line(cake.ID, 2)), buyer.auth(), &short)
	if short.OrderCreate.Order != nil || len(short.OrderCreate.Errors) != 1 || short.OrderCreate.Errors[0].Code != "INSUFFICIENT_STOCK" {
		t.Fatalf("short orderCreate = %+v", short.OrderCreate)
	}
	if q := s.product(ctx, cake.ID).Quantity; q != 1 {
		t.Fatalf("cake quantity %d after a refused order, want 1", q)
	}
	// A third order, so the pages below have somewhere to go.
	s.must(ctx, create, lines(line(tea.ID, 1)), buyer.auth(), &ok)
	newest := ok.OrderCreate.Order.ID

	// Page by one through the confirmed orders, newest first.
	filter := map[string]any{"status": "CONFIRMED"}
	var first orderPageView
	s.must(ctx, orderPage, map[string]any{"first": 1, "filter": filter}, buyer.auth(), &first)
	c := first.OrdersConnection
	if c.TotalCount != 2 || len(c.Nodes) != 1 || c.Nodes[0].ID != newest || !c.PageInfo.HasNextPage {
		t.Fatalf("first page = %+v", c)
	}
	var second orderPageView
	s.must(ctx, orderPage, map[string]any{"first": 1, "after": *c.PageInfo.EndCursor, "filter": filter}, buyer.auth(), &second)
	c = second.OrdersConnection
	if len(c.Nodes) != 1 || c.Nodes[0].ID != o.ID || c.PageInfo.HasNextPage {
		t.Fatalf("second page = %+v", c)
	}
	n := c.Nodes[0]
	if _, err := time.Parse(time.RFC3339, n.CreatedAt); err != nil || len(n.Products) != 2 ||
		n.Products[0].Product == nil || n.Products[0].Product.Name != "connection tea" || n.Products[0].LineTotal.Amount != "240" {
		t.Fatalf("order through federation = %+v (%v)", n, err)
	}
	// Every order, the rejected one included, without a filter.
	var all orderPageView
	s.must(ctx, orderPage, map[string]any{"first": 100}, buyer.auth(), &all)
	if all.OrdersConnection.TotalCount != 3 {
		t.Fatalf("all orders = %+v", all.OrdersConnection)
	}
	// Pages beyond 100 are refused, not cut short.
	if r := s.do(ctx, orderPage, map[string]any{"first": 101}, buyer.auth()); !r.HasCode("BAD_USER_INPUT") {
		t.Fatalf("first: 101 = %s", r.Body)
	}
	// The seed's orders keeps its shape.
	var seed struct {
		Orders []struct {
			ID       string `json:"_id"`
			UserID   string `json:"userId"`
			Products []struct {
				ID       string `json:"_id"`
				Quantity int
			}
		}
	}
	s.must(ctx, `query Orders { orders { _id userId products { _id quantity } } }`, nil, buyer.auth(), &seed)
	if len(seed.Orders) != 3 || seed.Orders[0].UserID != buyer.ID {
		t.Fatalf("seed orders = %+v", seed.Orders)
	}
}

// TestStaffOrderJourney manages orders with the admin key: every user's
// orders filtered by user, a staff cancel that gives the stock back, and
// orderHealth. The router does not yet treat the admin key as holding
// every scope (it removes @requiresScopes fields for admin-key calls), so
// the staff mutations run against the orders subgraph directly; through
// the router the test checks that a customer is refused them.
func TestStaffOrderJourney(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	orders := &shop{t: t, c: s.orders, admin: s.admin}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	jam := s.createProduct(ctx, "staff jam", 90, 10)
	ann, ben := s.register(ctx, "ann"), s.register(ctx, "ben")
	for _, a := range []account{ann, ben, ben} {
		if r := s.placeOrder(ctx, a, jam.ID, 2); len(r.Errors) > 0 {
			t.Fatalf("place: %s", r.Body)
		}
	}

	// Staff list every order, and one user's.
	var allPage, bens orderPageView
	s.must(ctx, orderPage, map[string]any{"first": 100}, s.admin, &allPage)
	if allPage.OrdersConnection.TotalCount != 3 {
		t.Fatalf("admin sees %d orders, want 3", allPage.OrdersConnection.TotalCount)
	}
	s.must(ctx, orderPage, map[string]any{"first": 100, "filter": map[string]any{"userId": ben.ID}}, s.admin, &bens)
	if bens.OrdersConnection.TotalCount != 2 {
		t.Fatalf("ben's orders for the admin = %+v", bens.OrdersConnection)
	}
	// A customer may not list someone else's.
	if r := s.do(ctx, orderPage, map[string]any{"first": 1, "filter": map[string]any{"userId": ben.ID}}, ann.auth()); !r.HasCode("FORBIDDEN") {
		t.Fatalf("ann listing ben's orders = %s", r.Body)
	}

	const cancelOp = `mutation($id: ID!) { orderCancel(id: $id) { order { _id status } errors { code message } } }`
	target := bens.OrdersConnection.Nodes[0].ID
	// Through the router a customer gets nothing of orderCancel.
	if r := s.do(ctx, cancelOp, map[string]any{"id": target}, ann.auth()); len(r.Errors) == 0 {
		t.Fatalf("customer orderCancel through the router = %s", r.Body)
	}
	// Staff cancel on the orders subgraph: the stock comes back.
	var cancelled struct {
		OrderCancel struct {
			Order *struct {
				ID     string `json:"_id"`
				Status string
			}
			Errors []struct{ Code string }
		}
	}
	orders.must(ctx, cancelOp, map[string]any{"id": target}, s.admin, &cancelled)
	if o := cancelled.OrderCancel.Order; o == nil || o.Status != "CANCELLED" || len(cancelled.OrderCancel.Errors) != 0 {
		t.Fatalf("orderCancel = %+v", cancelled.OrderCancel)
	}
	if r := orders.do(ctx, cancelOp, map[string]any{"id": target}, ann.auth()); !r.HasCode("FORBIDDEN") {
		t.Fatalf("customer orderCancel on the subgraph = %s", r.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		q := s.product(ctx, jam.ID).Quantity
		if q == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jam quantity %d after the cancel, want 6", q)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := s.orderHealthErr(ctx); err != nil {
		t.Fatal(err)
	}
	var cancelledPage orderPageView
	s.must(ctx, orderPage, map[string]any{"first": 10, "filter": map[string]any{"status": "CANCELLED"}}, s.admin, &cancelledPage)
	if n := cancelledPage.OrdersConnection.Nodes; len(n) != 1 || n[0].ID != target {
		t.Fatalf("cancelled orders = %+v", cancelledPage.OrdersConnection)
	}
}

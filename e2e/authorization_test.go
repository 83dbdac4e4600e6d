package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestRouterEnforcesAuthenticated checks the shop's @authenticated fields
// through the router: without a token the router answers them null with
// UNAUTHORIZED_FIELD_OR_TYPE before calling any subgraph (the owning
// subgraph's request count does not move), the rest of an operation is
// intact, a signed-in user gets the data, and the subgraphs still refuse
// the same fields on their own endpoints (defence in depth).
func TestRouterEnforcesAuthenticated(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := s.createProduct(ctx, "guarded-by-router", 100, 10)
	alice := s.register(ctx, "alice")

	guarded := []struct{ field, query, owner string }{
		{"me", `{ me { _id username } }`, "users"},
		{"cart", `{ cart { _id } }`, "orders"},
		{"placeOrder", `mutation { placeOrder(products: [{_id: "` + p.ID + `", quantity: 1}]) { _id } }`, "orders"},
		{"addToCart", `mutation { addToCart(productId: "` + p.ID + `", quantity: 1) { _id } }`, "orders"},
	}
	for _, g := range guarded {
		owner := serviceNamed(t, sys, g.owner)
		before := graphqlRequests(ctx, t, owner)
		r := s.do(ctx, g.query, nil, nil)
		if r.Status != 200 || !r.HasCode("UNAUTHORIZED_FIELD_OR_TYPE") || string(r.Data) != `{"`+g.field+`":null}` {
			t.Errorf("%s without a token: status %d %s, want 200, %s null, UNAUTHORIZED_FIELD_OR_TYPE", g.field, r.Status, r.Body, g.field)
		}
		if after := graphqlRequests(ctx, t, owner); after != before {
			t.Errorf("%s without a token reached %s: %d GraphQL requests, then %d", g.field, g.owner, before, after)
		}
		// The subgraph's own endpoint refuses the same field on its own.
		direct, err := harness.NewClient(owner.GraphQL()).Do(ctx, g.query, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !direct.HasCode("UNAUTHENTICATED") {
			t.Errorf("%s sent straight to %s without a token: %s, want UNAUTHENTICATED", g.field, g.owner, direct.Body)
		}
	}

	// The rest of an operation is answered: only the guarded field is null.
	var mixed struct {
		Me       *struct{ ID string }
		Products []product
	}
	r := s.do(ctx, `{ me { _id } products { _id name } }`, nil, nil)
	if err := r.Decode(&mixed); err != nil || mixed.Me != nil || len(mixed.Products) == 0 || !r.HasCode("UNAUTHORIZED_FIELD_OR_TYPE") {
		t.Errorf("me and products without a token: %s", r.Body)
	}

	// Signed in, the same fields are served.
	var me struct {
		Me struct {
			ID string `json:"_id"`
		}
	}
	s.must(ctx, `{ me { _id } }`, nil, alice.auth(), &me)
	if me.Me.ID != alice.ID {
		t.Errorf("me for alice: %+v", me.Me)
	}
	var placed struct{ PlaceOrder order }
	s.must(ctx, `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { _id } }`,
		map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": 1}}}, alice.auth(), &placed)
	if placed.PlaceOrder.ID == "" {
		t.Error("alice's order has no id")
	}
	sys.CheckAlive(t)
}

func serviceNamed(t *testing.T, sys *harness.System, prefix string) *harness.Service {
	t.Helper()
	for _, v := range sys.Services() {
		if strings.HasPrefix(v.Name, prefix) {
			return v
		}
	}
	t.Fatalf("no %s service", prefix)
	return nil
}

var graphqlCount = regexp.MustCompile(`(?m)^http_server_request_duration_seconds_count\{[^}]*http_route="/graphql"[^}]*\} (\d+)`)

// graphqlRequests sums the /graphql requests a service's metrics counted.
func graphqlRequests(ctx context.Context, t *testing.T, v *harness.Service) int {
	t.Helper()
	url := v.MetricsURL()
	if url == "" {
		t.Fatalf("%s reports no metrics listener", v.Name)
	}
	n := 0
	for _, m := range graphqlCount.FindAllStringSubmatch(get(ctx, t, url), -1) {
		c, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		n += c
	}
	return n
}

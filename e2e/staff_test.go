package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestStaffManageWithScopes is the journey "staff manage with scopes":
// the admin key creates a staff user with MANAGE_ORDERS and
// MANAGE_PRODUCTS; the staff user logs in and, through the router and
// without the admin key, restocks and edits a product (the router lets
// the @requiresScopes mutations through on the token's scope claim, and
// products checks the scope again); a customer's token is refused at the
// router (UNAUTHORIZED_FIELD_OR_TYPE, before products is asked) and at
// products directly (FORBIDDEN naming the scope); the seed's createProduct
// with x-api-token still works through the router.
func TestStaffManageWithScopes(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The seed's createProduct, verbatim, with x-api-token.
	const seedCreate = "mutation CreateProduct {\ncreateProduct(input: { name: \"chocolate\", price: 20, quantity: 10 }) {\n_id\nname\nprice\nquantity\n}\n}"
	var created struct{ CreateProduct product }
	s.must(ctx, seedCreate, nil, map[string]string{"x-api-token": sys.AdminKey}, &created)
	p := created.CreateProduct
	if p.ID == "" || p.Name != "chocolate" || p.Price != 20 || p.Quantity != 10 {
		t.Fatalf("seed createProduct: %+v", p)
	}

	// The admin key creates the staff user.
	username := "staff-" + randHex(4)
	var sc struct {
		StaffCreate struct {
			User *struct {
				ID      string   `json:"_id"`
				IsStaff bool     `json:"isStaff"`
				Scopes  []string `json:"scopes"`
			}
			Errors []struct{ Code, Message string }
		}
	}
	s.must(ctx, `mutation($in: StaffCreateInput!) { staffCreate(input: $in) { user { _id isStaff scopes } errors { code message } } }`,
		map[string]any{"in": map[string]any{"username": username, "password": "password", "scopes": []string{"MANAGE_ORDERS", "MANAGE_PRODUCTS"}}},
		map[string]string{"x-api-key": sys.AdminKey}, &sc)
	if u := sc.StaffCreate.User; u == nil || !u.IsStaff || len(u.Scopes) != 2 || len(sc.StaffCreate.Errors) != 0 {
		t.Fatalf("staffCreate: %+v", sc.StaffCreate)
	}

	// The staff user logs in: the token carries the scopes.
	var login struct {
		Login struct {
			AccessToken string `json:"access_token"`
		}
	}
	s.must(ctx, `mutation($in: LoginInput) { login(input: $in) { access_token } }`,
		map[string]any{"in": map[string]any{"username": username, "password": "password"}}, nil, &login)
	staff := harness.Bearer(login.Login.AccessToken)
	if scope, _ := jwtClaims(t, login.Login.AccessToken)["scope"].(string); scope != "MANAGE_ORDERS MANAGE_PRODUCTS" {
		t.Fatalf("staff token scope claim = %q", scope)
	}

	// Through the router, without the admin key.
	const restock = `mutation($id: ID!) { restockProduct(id: $id, quantity: 5) { _id quantity } }`
	const update = `mutation($id: ID!) { updateProduct(id: $id, input: {name: "dark chocolate"}) { _id name } }`
	var rs struct{ RestockProduct product }
	s.must(ctx, restock, map[string]any{"id": p.ID}, staff, &rs)
	if rs.RestockProduct.Quantity != 15 {
		t.Fatalf("restock by staff: %+v", rs.RestockProduct)
	}
	var up struct{ UpdateProduct product }
	s.must(ctx, update, map[string]any{"id": p.ID}, staff, &up)
	if up.UpdateProduct.Name != "dark chocolate" {
		t.Fatalf("update by staff: %+v", up.UpdateProduct)
	}

	// A customer: refused at the router before products is asked, and by
	// products itself.
	customer := s.register(ctx, "shopper")
	products := serviceNamed(t, sys, "products")
	before := graphqlRequests(ctx, t, products)
	for _, q := range []string{restock, update} {
		r := s.do(ctx, q, map[string]any{"id": p.ID}, customer.auth())
		if r.Status != http.StatusOK || !r.HasCode("UNAUTHORIZED_FIELD_OR_TYPE") {
			t.Errorf("customer through the router: HTTP %d %s, want UNAUTHORIZED_FIELD_OR_TYPE", r.Status, r.Body)
		}
		direct, err := harness.NewClient(products.GraphQL()).Do(ctx, q, map[string]any{"id": p.ID}, customer.auth())
		if err != nil {
			t.Fatal(err)
		}
		if !direct.HasCode("FORBIDDEN") || !containsScope(direct, "MANAGE_PRODUCTS") {
			t.Errorf("customer at products directly: %s, want FORBIDDEN with requiredScopes MANAGE_PRODUCTS", direct.Body)
		}
	}
	if after := graphqlRequests(ctx, t, products); after != before+2 {
		t.Errorf("products got %d GraphQL requests for 2 direct calls: the router let a customer's call through", after-before)
	}
	// The staff directory needs MANAGE_USERS: the admin key lists the
	// staff user, the staff token (without that scope) is refused at the
	// router.
	const directory = `query($q: String) { usersConnection(first: 10, filter: {isStaff: true, search: $q}) { nodes { username scopes } totalCount } }`
	var dir struct {
		UsersConnection struct {
			Nodes []struct {
				Username string
				Scopes   []string
			}
			TotalCount int
		}
	}
	s.must(ctx, directory, map[string]any{"q": username}, map[string]string{"x-api-key": sys.AdminKey}, &dir)
	if dir.UsersConnection.TotalCount != 1 || len(dir.UsersConnection.Nodes) != 1 || dir.UsersConnection.Nodes[0].Username != username {
		t.Errorf("staff directory: %+v", dir.UsersConnection)
	}
	if r := s.do(ctx, directory, map[string]any{"q": username}, staff); !r.HasCode("UNAUTHORIZED_FIELD_OR_TYPE") {
		t.Errorf("staff directory without MANAGE_USERS: %s", r.Body)
	}
	if got := s.product(ctx, p.ID); got.Quantity != 15 || got.Name != "dark chocolate" {
		t.Errorf("product after the customer's attempts: %+v", got)
	}
	sys.CheckAlive(t)
}

// containsScope reports whether one of r's errors names scope in
// extensions.requiredScopes.
func containsScope(r *harness.Response, scope string) bool {
	for _, e := range r.Errors {
		list, _ := e.Extensions["requiredScopes"].([]any)
		for _, v := range list {
			if v == scope {
				return true
			}
		}
	}
	return false
}

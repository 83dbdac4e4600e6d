package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
)

func TestSeedOperationsAndAdminRules(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	in := start(t, env, newShared())

	// The seed's createProduct, with the seed's x-api-token header name.
	r := in.gql(t, `mutation CreateProduct { createProduct(input: { name: "chocolate", price: 20, quantity: 10 }) { _id name price quantity } }`, nil,
		"x-api-token", testAdminKey)
	if len(r.Errors) > 0 {
		t.Fatalf("seed createProduct: %+v", r.Errors)
	}
	var choc product
	_ = json.Unmarshal(r.Data["createProduct"], &choc)
	if choc.Name != "chocolate" || choc.Price != 20 || choc.Quantity != 10 || len(choc.ID) != 24 {
		t.Fatalf("created %+v", choc)
	}
	r = in.gql(t, `query Products { products { _id name price quantity } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data["products"]), `"chocolate"`) {
		t.Fatalf("seed products: %s %+v", r.Data["products"], r.Errors)
	}

	create := `mutation($in: CreateProductInput){ createProduct(input: $in){ _id } }`
	good := map[string]any{"name": "x", "price": 1, "quantity": 1}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name    string
		query   string
		vars    map[string]any
		headers []string
		code    string
	}{
		{"no key", create, map[string]any{"in": good}, nil, "UNAUTHENTICATED"},
		{"wrong key", create, map[string]any{"in": good}, []string{"x-api-key", "nope"}, "FORBIDDEN"},
		{"user token only", create, map[string]any{"in": good}, []string{"Authorization", "Bearer not-a-token"}, "FORBIDDEN"},
		{"empty name", create, map[string]any{"in": with("name", "   ")}, admin(), "BAD_USER_INPUT"},
		{"huge name", create, map[string]any{"in": with("name", strings.Repeat("n", 201))}, admin(), "BAD_USER_INPUT"},
		{"negative price", create, map[string]any{"in": with("price", -1)}, admin(), "BAD_USER_INPUT"},
		{"negative quantity", create, map[string]any{"in": with("quantity", -5)}, admin(), "BAD_USER_INPUT"},
		{"missing input", `mutation { createProduct { _id } }`, nil, admin(), "BAD_USER_INPUT"},
		{"malformed id", `{ product(id: "zzz") { _id } }`, nil, nil, "BAD_USER_INPUT"},
		{"negative take", `{ products(take: -1) { _id } }`, nil, nil, "BAD_USER_INPUT"},
		{"take over cap", `{ products(take: 101) { _id } }`, nil, nil, "BAD_USER_INPUT"},
		{"restock zero", `mutation($id: ID!){ restockProduct(id: $id, quantity: 0){ _id } }`, map[string]any{"id": choc.ID}, admin(), "BAD_USER_INPUT"},
		{"restock overflow", `mutation($id: ID!){ restockProduct(id: $id, quantity: 2147483647){ _id } }`, map[string]any{"id": choc.ID}, admin(), "BAD_USER_INPUT"},
		{"restock unknown", `mutation{ restockProduct(id: "64b7f0c2a1b2c3d4e5f60718", quantity: 1){ _id } }`, nil, admin(), "NOT_FOUND"},
		{"update malformed id", `mutation{ updateProduct(id: "1", input: {name: "y"}){ _id } }`, nil, admin(), "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := in.gql(t, c.query, c.vars, c.headers...)
			if r.code() != c.code {
				t.Fatalf("code = %q (%+v), want %s", r.code(), r.Errors, c.code)
			}
		})
	}
}

// A price beyond 32 bits is refused before any resolver runs, whether it is
// a literal or a variable.
func TestOverflowingIntsAreRefused(t *testing.T) {
	t.Parallel()
	in := start(t, testenv.Get(t), newShared())
	for _, r := range []gqlResponse{
		in.gql(t, `mutation { createProduct(input: {name: "big", price: 2147483648, quantity: 1}) { _id } }`, nil, admin()...),
		in.gql(t, `mutation($in: CreateProductInput){ createProduct(input: $in){ _id } }`,
			map[string]any{"in": map[string]any{"name": "big", "price": 1, "quantity": 99999999999}}, admin()...),
	} {
		if len(r.Errors) == 0 || r.Data["createProduct"] != nil && string(r.Data["createProduct"]) != "null" {
			t.Fatalf("overflowing int accepted: %+v", r)
		}
	}
}

func TestUpdateDeleteAndEntities(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	in := start(t, env, newShared())
	p := in.create(t, "old name", 100, 4)

	r := in.gql(t, `mutation($id: ID!){ updateProduct(id: $id, input: {name: "new name", price: 150, description: "tasty"}){ name price description quantity } }`,
		map[string]any{"id": p.ID}, admin()...)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data["updateProduct"]), `"new name"`) || !strings.Contains(string(r.Data["updateProduct"]), `"price":150`) {
		t.Fatalf("update: %s %+v", r.Data["updateProduct"], r.Errors)
	}
	r = in.gql(t, `mutation($id: ID!){ deleteProduct(id: $id){ _id deletedAt } }`, map[string]any{"id": p.ID}, admin()...)
	if len(r.Errors) > 0 || strings.Contains(string(r.Data["deleteProduct"]), `"deletedAt":null`) {
		t.Fatalf("delete: %s %+v", r.Data["deleteProduct"], r.Errors)
	}
	r = in.gql(t, `{ products { _id } }`, nil)
	if strings.Contains(string(r.Data["products"]), p.ID) {
		t.Fatal("deleted product still listed")
	}
	r = in.gql(t, `query($id: ID!){ product(id: $id){ _id } }`, map[string]any{"id": p.ID})
	if string(r.Data["product"]) != "null" {
		t.Fatalf("product(id) of a deleted product = %s", r.Data["product"])
	}
	// Entities still resolve, batched, with unknown ids as null.
	r = in.gql(t, `query($reps: [_Any!]!){ _entities(representations: $reps){ ... on Product { _id name deletedAt } } }`,
		map[string]any{"reps": []map[string]any{
			{"__typename": "Product", "_id": p.ID},
			{"__typename": "Product", "_id": "64b7f0c2a1b2c3d4e5f60718"},
		}})
	var ents []map[string]any
	if err := json.Unmarshal(r.Data["_entities"], &ents); err != nil || len(ents) != 2 || ents[0]["name"] != "new name" || ents[1] != nil {
		t.Fatalf("entities: %s %+v", r.Data["_entities"], r.Errors)
	}
	// Deleted products cannot be reserved.
	if code, res := in.reserve(t, "order-deleted", inventoryapi.Line{ProductID: p.ID, Quantity: 1}); code != 404 || res.Problem == nil || res.Problem.Code != "NOT_FOUND" {
		t.Fatalf("reserve deleted: %d %+v", code, res)
	}
	// The ledger is for admins (see TestLedgerIsAdminOnly).
	r = in.gql(t, `query($id: ID!){ inventoryLedger(productId: $id){ version kind delta balance } }`, map[string]any{"id": p.ID}, admin()...)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data["inventoryLedger"]), `"kind":"CREATE"`) {
		t.Fatalf("ledger: %s %+v", r.Data["inventoryLedger"], r.Errors)
	}
	r = in.gql(t, `{ _service { sdl } }`, nil)
	if !strings.Contains(string(r.Data["_service"]), "@key") {
		t.Fatalf("_service sdl: %s %+v", r.Data["_service"], r.Errors)
	}
}

func TestListAfterReservationShowsNewQuantity(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "fresh list", 100, 10)
	list := `{ products { _id quantity } }`
	for _, in := range []*instance{a, b} {
		_ = in.gql(t, list, nil) // warm the cache
	}
	if code, _ := a.reserve(t, "order-list", inventoryapi.Line{ProductID: p.ID, Quantity: 4}); code != 200 {
		t.Fatalf("reserve: %d", code)
	}
	for _, in := range []*instance{a, b} {
		r := in.gql(t, list, nil)
		if !strings.Contains(string(r.Data["products"]), `"quantity":6`) {
			t.Fatalf("list right after reservation: %s", r.Data["products"])
		}
	}
	checkInvariant(t, env, sh)
}

func TestInternalAPIRequiresServiceToken(t *testing.T) {
	t.Parallel()
	in := start(t, testenv.Get(t), newShared())
	for _, tok := range []string{"", "wrong"} {
		req := strings.NewReader(`{"orderId":"o1","lines":[]}`)
		resp, err := httpPost(in.URL+inventoryapi.PathReservations, tok, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp != 401 {
			t.Fatalf("token %q: status %d, want 401", tok, resp)
		}
	}
	if code, _ := in.reserve(t, "bad order id!", inventoryapi.Line{ProductID: "64b7f0c2a1b2c3d4e5f60718", Quantity: 1}); code != 400 {
		t.Fatalf("bad order id: %d, want 400", code)
	}
	if code, _ := in.reserve(t, "o2", inventoryapi.Line{ProductID: "64b7f0c2a1b2c3d4e5f60718", Quantity: 0}); code != 400 {
		t.Fatalf("zero quantity: %d, want 400", code)
	}
	if code, _ := in.call(t, "GET", inventoryapi.PathReservations+"/never-seen", nil); code != 404 {
		t.Fatalf("unknown reservation: %d, want 404", code)
	}
}

// The inventory ledger names orders, quantities and times: both ways to
// read it answer only with the admin key, and refuse everyone else with
// the codes of the other admin fields.
func TestLedgerIsAdminOnly(t *testing.T) {
	t.Parallel()
	in := start(t, testenv.Get(t), newShared())
	p := in.create(t, "audited", 100, 7)
	if code, _ := in.reserve(t, "order-audited", inventoryapi.Line{ProductID: p.ID, Quantity: 2}); code != 200 {
		t.Fatalf("reserve: %d", code)
	}
	queries := map[string]string{
		"inventoryLedger":     `query($id: ID!){ inventoryLedger(productId: $id){ kind orderId } }`,
		"product.movements":   `query($id: ID!){ product(id: $id){ _id movements { kind orderId } } }`,
		"products.movements":  `{ products(search: "audited") { _id movements { kind orderId } } }`,
		"_entities.movements": `query($id: ID!){ _entities(representations: [{__typename: "Product", _id: $id}]){ ... on Product { movements { kind orderId } } } }`,
	}
	callers := []struct {
		name    string
		headers []string
		code    string
	}{
		{"anonymous", nil, "UNAUTHENTICATED"},
		{"wrong key", []string{"x-api-key", "nope"}, "FORBIDDEN"},
		{"user token only", []string{"Authorization", "Bearer not-a-token"}, "FORBIDDEN"},
		{"admin", admin(), ""},
	}
	for name, q := range queries {
		for _, c := range callers {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				r := in.gql(t, q, map[string]any{"id": p.ID}, c.headers...)
				raw, _ := json.Marshal(r.Data)
				if r.code() != c.code {
					t.Fatalf("code = %q (%s %+v), want %q", r.code(), raw, r.Errors, c.code)
				}
				leaked := strings.Contains(string(raw), "order-audited")
				if c.code != "" && leaked {
					t.Fatalf("refused caller still read the ledger: %s", raw)
				}
				if c.code == "" && !leaked {
					t.Fatalf("admin did not get the ledger: %s", raw)
				}
			})
		}
	}
}

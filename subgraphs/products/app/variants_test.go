package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
)

type variant struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
	Price    struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	} `json:"price"`
}

type productError struct {
	Field   *string `json:"field"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
}

// createVariant adds a variant through productVariantCreate as admin.
func (in *instance) createVariant(t testing.TB, productID, sku string, price, qty int) variant {
	t.Helper()
	r := in.gql(t, `mutation($in: ProductVariantCreateInput!){ productVariantCreate(input: $in){
		productVariant { id sku name quantity price { amount currency } } errors { field code message } } }`,
		map[string]any{"in": map[string]any{"productId": productID, "sku": sku, "name": "size " + sku, "price": price, "quantity": qty,
			"attributes": []map[string]any{{"name": "size", "value": sku}}}}, admin()...)
	var out struct {
		ProductVariant *variant       `json:"productVariant"`
		Errors         []productError `json:"errors"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data["productVariantCreate"], &out) != nil || out.ProductVariant == nil {
		t.Fatalf("create variant: %+v %s", r.Errors, r.Data["productVariantCreate"])
	}
	return *out.ProductVariant
}

// The no-oversell guarantee holds per variant: 120 concurrent one-unit
// reservations of a non-default variant with 30 units, through two
// replicas, reserve exactly 30; the default variant's stock is untouched
// and the answers name the product and the variant.
func TestConcurrentReservationsOfAVariantNeverOversell(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "t-shirt", 1500, 5)
	v := a.createVariant(t, p.ID, "TSHIRT-XL", 2500, 30)
	if v.Quantity != 30 || v.Price.Amount != "2500" || v.Price.Currency != "USD" || v.ID == p.ID {
		t.Fatalf("variant = %+v, want its own id, 30 units at 2500 USD", v)
	}

	var ok, rejected, other atomic.Int32
	var wg sync.WaitGroup
	for i := range 120 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			code, r := in.reserve(t, fmt.Sprintf("vorder-%d", i), inventoryapi.Line{ProductID: p.ID, VariantID: v.ID, Quantity: 1})
			switch {
			case code == http.StatusOK && r.Status == inventoryapi.StatusReserved:
				ok.Add(1)
				if len(r.Lines) != 1 || r.Lines[0].UnitPrice != 2500 || r.Lines[0].ProductID != p.ID || r.Lines[0].VariantID != v.ID {
					t.Errorf("reserved lines = %+v, want one line of variant %s of %s at 2500", r.Lines, v.ID, p.ID)
				}
			case code == http.StatusConflict && r.Status == inventoryapi.StatusRejected && r.Problem != nil &&
				r.Problem.Code == inventoryapi.CodeInsufficientStock && r.Problem.ProductID == p.ID:
				rejected.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected answer %d %+v", code, r)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 30 || rejected.Load() != 90 || other.Load() != 0 {
		t.Fatalf("reserved %d, rejected %d, other %d; want 30, 90, 0", ok.Load(), rejected.Load(), other.Load())
	}
	// The product's quantity counts every variant: 5 default + 0 left.
	if q := b.quantity(t, p.ID); q != 5 {
		t.Fatalf("product quantity = %d, want 5 (the default variant's units only)", q)
	}
	// A default-variant line (no variantId) answers the product's id as
	// its variant, and retrying an order reserves nothing twice.
	for range 2 {
		code, r := a.reserve(t, "vorder-default", inventoryapi.Line{ProductID: p.ID, Quantity: 2})
		if code != http.StatusOK || len(r.Lines) != 1 || r.Lines[0].VariantID != p.ID || r.Lines[0].UnitPrice != 1500 {
			t.Fatalf("default line: %d %+v", code, r)
		}
	}
	if q := a.quantity(t, p.ID); q != 3 {
		t.Fatalf("after a retried reservation of 2 default units: quantity %d, want 3", q)
	}
	// A variant named under another product is bad input.
	other2 := a.create(t, "mug", 900, 1)
	if code, r := a.reserve(t, "vorder-wrong", inventoryapi.Line{ProductID: other2.ID, VariantID: v.ID, Quantity: 1}); code != http.StatusBadRequest {
		t.Fatalf("variant of another product: %d %+v, want 400", code, r)
	}
	// Releasing gives the variant's units back to the variant.
	if code, _ := a.release(t, "vorder-0"); code != http.StatusOK {
		t.Fatalf("release: %d", code)
	}
	checkInvariant(t, env, sh)
}

// The typed catalog mutations: payload errors for refused input with
// nothing written, variants and their stock, the default variant of a
// product created by the seed's createProduct, entity resolution, cache
// invalidation of a product when one of its variants' stock changes, and
// the MANAGE_PRODUCTS scope.
func TestVariantsAttributesImagesAndScopes(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	in := start(t, env, newShared())

	legacy := in.create(t, "chocolate", 20, 10)
	r := in.gql(t, `query($id: ID!){ product(id: $id){ priceMoney { amount currency } createdAt
		defaultVariant { id sku name quantity price { amount } } variants { id } attributes { name } images { url } categories { slug } } }`,
		map[string]any{"id": legacy.ID})
	want := fmt.Sprintf(`{"priceMoney":{"amount":"20","currency":"USD"},"defaultVariant":{"id":%q,"sku":"P-%s","name":"Default","quantity":10,"price":{"amount":"20"}},"variants":[{"id":%q}],"attributes":[],"images":[],"categories":[]}`,
		legacy.ID, strings.ToUpper(legacy.ID), legacy.ID)
	var got map[string]any
	_ = json.Unmarshal(r.Data["product"], &got)
	delete(got, "createdAt")
	if raw, _ := json.Marshal(got); len(r.Errors) > 0 || !jsonEqual(t, string(raw), want) {
		t.Fatalf("seed product's variants = %s %+v, want %s", r.Data["product"], r.Errors, want)
	}

	create := `mutation($in: ProductCreateInput!){ productCreate(input: $in){ product { _id quantity attributes { name value } images { url alt } defaultVariant { sku } } errors { field code message } } }`
	good := map[string]any{"name": "hoodie", "description": "warm and soft", "price": 4000, "quantity": 3, "sku": "HOODIE-M",
		"attributes": []map[string]any{{"name": "brand", "value": "Acme"}},
		"images":     []map[string]any{{"url": "https://img.example.com/hoodie.png", "alt": "a hoodie"}}}
	r = in.gql(t, create, map[string]any{"in": good}, admin()...)
	var payload struct {
		Product *struct {
			ID       string `json:"_id"`
			Quantity int    `json:"quantity"`
		} `json:"product"`
		Errors []productError `json:"errors"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data["productCreate"], &payload) != nil || payload.Product == nil || len(payload.Errors) != 0 {
		t.Fatalf("productCreate: %s %+v", r.Data["productCreate"], r.Errors)
	}
	hoodie := payload.Product.ID

	refusals := []struct {
		name      string
		change    func(map[string]any)
		code      string
		fieldPart string
	}{
		{"duplicated sku", func(m map[string]any) { m["sku"] = "HOODIE-M" }, "DUPLICATED_SKU", "sku"},
		{"http image", func(m map[string]any) { m["images"] = []map[string]any{{"url": "http://img.example.com/x.png"}} }, "INVALID", "images[0].url"},
		{"relative image", func(m map[string]any) { m["images"] = []map[string]any{{"url": "/x.png"}} }, "INVALID", "images[0].url"},
		{"empty attribute name", func(m map[string]any) { m["attributes"] = []map[string]any{{"name": " ", "value": "x"}} }, "REQUIRED", "attributes[0].name"},
		{"unknown category", func(m map[string]any) { m["categories"] = []string{"nowhere"} }, "INVALID", "categories"},
		{"negative price", func(m map[string]any) { m["price"] = -1 }, "INVALID", "price"},
	}
	for _, c := range refusals {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		m["sku"], m["name"] = "OTHER-"+strings.ReplaceAll(c.name, " ", "-"), "refused "+c.name
		c.change(m)
		r := in.gql(t, create, map[string]any{"in": m}, admin()...)
		var p struct {
			Product *json.RawMessage `json:"product"`
			Errors  []productError   `json:"errors"`
		}
		_ = json.Unmarshal(r.Data["productCreate"], &p)
		if len(r.Errors) > 0 || p.Product != nil || len(p.Errors) != 1 || p.Errors[0].Code != c.code || p.Errors[0].Field == nil || *p.Errors[0].Field != c.fieldPart {
			t.Errorf("%s: %s %+v, want one %s error on %s", c.name, r.Data["productCreate"], r.Errors, c.code, c.fieldPart)
		}
		// Nothing was written: no product has the refused name.
		list := in.gql(t, `query($s: String){ products(search: $s){ _id } }`, map[string]any{"s": "refused " + c.name})
		if string(list.Data["products"]) != "[]" {
			t.Errorf("%s: a refused product was stored: %s", c.name, list.Data["products"])
		}
	}

	// A variant with its own stock; the product (read once, so cached)
	// shows the new total, then the restocked total.
	if q := in.quantity(t, hoodie); q != 3 {
		t.Fatalf("hoodie quantity = %d, want 3", q)
	}
	xl := in.createVariant(t, hoodie, "HOODIE-XL", 4500, 4)
	if q := in.quantity(t, hoodie); q != 7 {
		t.Fatalf("hoodie quantity after a variant of 4 = %d, want 7", q)
	}
	stock := `mutation($id: ID!, $n: Int!, $k: String){ productVariantStockUpdate(id: $id, quantity: $n, idempotencyKey: $k){ productVariant { quantity } errors { code field } } }`
	for range 2 {
		r = in.gql(t, stock, map[string]any{"id": xl.ID, "n": 6, "k": "restock-xl-1"}, admin()...)
		if len(r.Errors) > 0 || string(r.Data["productVariantStockUpdate"]) != `{"productVariant":{"quantity":10},"errors":[]}` {
			t.Fatalf("variant restock: %s %+v", r.Data["productVariantStockUpdate"], r.Errors)
		}
	}
	if q := in.quantity(t, hoodie); q != 13 {
		t.Fatalf("hoodie quantity after restocking the variant = %d, want 13", q)
	}
	// restockProduct restocks products, not variants.
	r = in.gql(t, `mutation($id: ID!){ restockProduct(id: $id, quantity: 1){ _id } }`, map[string]any{"id": xl.ID}, admin()...)
	if r.code() != "NOT_FOUND" {
		t.Fatalf("restockProduct of a variant id: %s %+v, want NOT_FOUND", r.Data["restockProduct"], r.Errors)
	}
	r = in.gql(t, stock, map[string]any{"id": xl.ID, "n": 0}, admin()...)
	if string(r.Data["productVariantStockUpdate"]) != `{"productVariant":null,"errors":[{"code":"INVALID","field":"quantity"}]}` {
		t.Fatalf("restock of 0: %s %+v", r.Data["productVariantStockUpdate"], r.Errors)
	}
	r = in.gql(t, stock, map[string]any{"id": "64b7f0c2a1b2c3d4e5f60718", "n": 1}, admin()...)
	if string(r.Data["productVariantStockUpdate"]) != `{"productVariant":null,"errors":[{"code":"NOT_FOUND","field":null}]}` {
		t.Fatalf("restock of an unknown variant: %s %+v", r.Data["productVariantStockUpdate"], r.Errors)
	}

	// Updates: the default variant's price is the product's price; a SKU
	// held by another variant is refused.
	upd := `mutation($id: ID!, $in: ProductVariantUpdateInput!){ productVariantUpdate(id: $id, input: $in){ productVariant { sku price { amount } } errors { code field } } }`
	r = in.gql(t, upd, map[string]any{"id": hoodie, "in": map[string]any{"price": 4200, "sku": "HOODIE-M2"}}, admin()...)
	if string(r.Data["productVariantUpdate"]) != `{"productVariant":{"sku":"HOODIE-M2","price":{"amount":"4200"}},"errors":[]}` {
		t.Fatalf("default variant update: %s %+v", r.Data["productVariantUpdate"], r.Errors)
	}
	r = in.gql(t, upd, map[string]any{"id": xl.ID, "in": map[string]any{"sku": "HOODIE-M2"}}, admin()...)
	if string(r.Data["productVariantUpdate"]) != `{"productVariant":null,"errors":[{"code":"DUPLICATED_SKU","field":"sku"}]}` {
		t.Fatalf("update to a taken sku: %s %+v", r.Data["productVariantUpdate"], r.Errors)
	}
	// The old SKU was freed by the update.
	in.createVariant(t, hoodie, "HOODIE-M", 4000, 1)
	r = in.gql(t, `query($id: ID!){ product(id: $id){ price variants { sku quantity } } }`, map[string]any{"id": hoodie})
	if string(r.Data["product"]) != `{"price":4200,"variants":[{"sku":"HOODIE-M2","quantity":3},{"sku":"HOODIE-XL","quantity":10},{"sku":"HOODIE-M","quantity":1}]}` {
		t.Fatalf("hoodie variants: %s %+v", r.Data["product"], r.Errors)
	}

	// Variants are entities: the orders subgraph references them by id.
	r = in.gql(t, `query($reps: [_Any!]!){ _entities(representations: $reps){ ... on ProductVariant { id sku product { name } } } }`,
		map[string]any{"reps": []map[string]any{{"__typename": "ProductVariant", "id": xl.ID}, {"__typename": "ProductVariant", "id": legacy.ID}, {"__typename": "ProductVariant", "id": "64b7f0c2a1b2c3d4e5f60718"}}})
	wantEnt := fmt.Sprintf(`[{"id":%q,"sku":"HOODIE-XL","product":{"name":"hoodie"}},{"id":%q,"sku":"P-%s","product":{"name":"chocolate"}},null]`, xl.ID, legacy.ID, strings.ToUpper(legacy.ID))
	if len(r.Errors) > 0 || string(r.Data["_entities"]) != wantEnt {
		t.Fatalf("_entities = %s %+v, want %s", r.Data["_entities"], r.Errors, wantEnt)
	}

	// Scopes: no credentials, a customer's token, the admin key.
	tok, err := auth.NewTokens(testSecret, time.Hour).Issue(auth.Identity{UserID: "64b7f0c2a1b2c3d4e5f60000"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		headers []string
		code    string
	}{
		{"no credentials", nil, "UNAUTHENTICATED"},
		{"customer token", []string{"Authorization", "Bearer " + tok}, "FORBIDDEN"},
	} {
		for _, q := range []string{
			`mutation { productCreate(input: {name: "x", price: 1, quantity: 1}) { errors { code } } }`,
			`mutation { categoryCreate(input: {name: "x", slug: "x"}) { errors { code } } }`,
			`{ inventoryHealth { dirtySnapshots } }`,
		} {
			r := in.gql(t, q, nil, c.headers...)
			if r.code() != c.code || fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]) != "[MANAGE_PRODUCTS]" {
				t.Errorf("%s: %s: %+v, want %s naming MANAGE_PRODUCTS", c.name, q, r.Errors, c.code)
			}
		}
	}
}

func jsonEqual(t testing.TB, a, b string) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	ra, _ := json.Marshal(x)
	rb, _ := json.Marshal(y)
	return string(ra) == string(rb)
}

package app_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// An admin who retries a restock after a timeout, with the same
// idempotency key, adds the units once, even when the retries race on two
// replicas; the same key for another quantity or product is refused, and
// a restock without a key adds units every time.
func TestRestockWithIdempotencyKeyAddsUnitsOnce(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "restocked", 100, 10)
	other := a.create(t, "other", 100, 10)

	const restock = `mutation($id: ID!, $q: Int!, $k: String){ restockProduct(id: $id, quantity: $q, idempotencyKey: $k){ _id quantity } }`
	var wg sync.WaitGroup
	for i := range 6 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			r := in.gql(t, restock, map[string]any{"id": p.ID, "q": 5, "k": "delivery-42"}, admin()...)
			var got product
			if len(r.Errors) > 0 || json.Unmarshal(r.Data["restockProduct"], &got) != nil || got.Quantity != 15 {
				t.Errorf("restock retry = %s %+v, want quantity 15", r.Data["restockProduct"], r.Errors)
			}
		})
	}
	wg.Wait()
	for _, c := range []struct {
		name string
		vars map[string]any
	}{
		{"another quantity", map[string]any{"id": p.ID, "q": 6, "k": "delivery-42"}},
		{"another product", map[string]any{"id": other.ID, "q": 5, "k": "delivery-42"}},
	} {
		if r := b.gql(t, restock, c.vars, admin()...); r.code() != "BAD_USER_INPUT" {
			t.Errorf("%s with the same key: code %q (%+v), want BAD_USER_INPUT", c.name, r.code(), r.Errors)
		}
	}
	for range 2 {
		if r := a.gql(t, restock, map[string]any{"id": p.ID, "q": 1}, admin()...); len(r.Errors) > 0 {
			t.Fatalf("restock without a key: %+v", r.Errors)
		}
	}
	if q := b.quantity(t, p.ID); q != 17 {
		t.Fatalf("quantity = %d, want 17 (10 + 5 once + 1 + 1)", q)
	}
	if k := a.kinds(t, p.ID); k["RESTOCK"] != 3 {
		t.Fatalf("ledger kinds = %v, want 3 RESTOCK entries", k)
	}
	checkInvariant(t, env, sh)
}

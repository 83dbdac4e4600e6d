package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// registerMany registers n buyers through the routers, a few at a time.
func registerMany(ctx context.Context, t *testing.T, shops []*shop, n int) []account {
	t.Helper()
	out := make([]account, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range out {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = shops[i%len(shops)].register(ctx, "buyer")
		})
	}
	wg.Wait()
	return out
}

// TestRaceForLastUnits sends 200 buyers at once, through two routers, two
// products replicas and two orders replicas sharing one database, at a
// product with 20 units: exactly 20 must be sold, every other buyer told
// INSUFFICIENT_STOCK, and the inventory invariant must hold from outside.
//
// It runs alone (no t.Parallel): on a 2-core machine the other tests'
// load would turn it into a test of timeouts.
func TestRaceForLastUnits(t *testing.T) {
	sys := harness.Start(t, bins, harness.Options{Products: 2, Orders: 2, Routers: 2, Env: recoveryEnv()})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	shops := []*shop{newShop(t, sys, 0), newShop(t, sys, 1)}
	s := shops[0]

	p := s.createProduct(ctx, "last units", 999, 20)
	buyers := registerMany(ctx, t, shops, 200)

	type result struct {
		status int
		codes  string
		msg    string
		order  order
		err    error
	}
	results := make([]result, len(buyers))
	startLine := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range buyers {
		wg.Go(func() {
			<-startLine
			c := shops[i%2].c
			r, err := c.Do(ctx, `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { `+orderFields+` } }`,
				map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": 1}}}, b.auth())
			if err != nil {
				results[i] = result{err: err}
				return
			}
			var out struct{ PlaceOrder *order }
			_ = r.Decode(&out) //nolint:errcheck // refusals have no data
			res := result{status: r.Status, codes: codesOf(r)}
			if len(r.Errors) > 0 {
				res.msg = r.Errors[0].Message
			}
			if out.PlaceOrder != nil {
				res.order = *out.PlaceOrder
			}
			results[i] = res
		})
	}
	began := time.Now()
	close(startLine)
	wg.Wait()
	t.Logf("200 concurrent orders answered in %s", time.Since(began).Round(time.Millisecond))

	confirmed, insufficient, shed := 0, 0, 0
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("buyer %d: %v", i, r.err)
		case r.status != 200:
			t.Errorf("buyer %d: status %d %s", i, r.status, r.codes)
		case r.order.Status == "CONFIRMED" && r.codes == "[]":
			confirmed++
			if r.order.UserID != buyers[i].ID || r.order.Total != 999 {
				t.Errorf("buyer %d got order %+v", i, r.order)
			}
		case r.codes == "[INSUFFICIENT_STOCK]":
			insufficient++
		case r.codes == "[SERVICE_UNAVAILABLE]":
			// The orders service gives up on a slow reservation: a clear,
			// retryable refusal. Counted and reported, never a sale.
			shed++
		default:
			t.Errorf("buyer %d: unexpected answer: order %+v codes %s %q", i, r.order, r.codes, r.msg)
		}
	}
	if confirmed != 20 || insufficient+shed != 180 {
		t.Errorf("confirmed %d, insufficient %d, unavailable %d; want exactly 20 sold and 180 refused", confirmed, insufficient, shed)
	}
	if shed > 0 {
		t.Logf("%d of 200 buyers got SERVICE_UNAVAILABLE (reservation slower than the orders service's products timeout)", shed)
	}
	// Orders whose outcome a timeout hid are settled by recovery; wait for it.
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := s.invariantErr(ctx, map[string]int{p.ID: 20})
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	// Both replicas must agree, through both routers.
	for _, sh := range shops {
		if q := sh.product(ctx, p.ID).Quantity; q != 0 {
			t.Errorf("quantity after the race = %d, want 0", q)
		}
	}
	if sold := s.invariant(ctx, map[string]int{p.ID: 20}); sold[p.ID] != 20 {
		t.Errorf("units in live orders = %d, want 20", sold[p.ID])
	}

	// A restock is sold again, exactly.
	var restocked struct{ RestockProduct product }
	s.must(ctx, `mutation($id: ID!) { restockProduct(id: $id, quantity: 5) { quantity } }`, map[string]any{"id": p.ID}, s.admin, &restocked)
	if restocked.RestockProduct.Quantity != 5 {
		t.Fatalf("after restock quantity = %d, want 5", restocked.RestockProduct.Quantity)
	}
	var again sync.WaitGroup
	var mu sync.Mutex
	more := 0
	for i, b := range buyers[:30] {
		again.Go(func() {
			r := shops[i%2].placeOrder(ctx, b, p.ID, 1)
			if len(r.Errors) == 0 {
				mu.Lock()
				more++
				mu.Unlock()
			} else if !r.HasCode("INSUFFICIENT_STOCK") {
				t.Errorf("after restock: %s", r.Body)
			}
		})
	}
	again.Wait()
	if more != 5 {
		t.Errorf("sold %d after restocking 5", more)
	}
	s.invariant(ctx, map[string]int{p.ID: 25})
	sys.CheckAlive(t)
}

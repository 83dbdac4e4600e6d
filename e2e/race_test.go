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

// TestRaceForLastUnits sends 200 buyers at once, through two routers,
// three products replicas and two orders replicas sharing one database, at
// a product with 20 units: exactly 20 must be sold, every other buyer told
// INSUFFICIENT_STOCK, the order work must settle (orderHealth all zero)
// and the inventory invariant must hold from outside. With three products
// replicas, orders reserve through two of them and the routers read
// through two, one of which no orders replica uses.
//
// It runs alone (no t.Parallel): on a 2-core machine the other tests'
// load would turn it into a test of timeouts.
func TestRaceForLastUnits(t *testing.T) {
	sys := harness.Start(t, bins, harness.Options{Products: 3, Orders: 2, Routers: 2, Env: recoveryEnv()})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	shops := []*shop{newShop(t, sys, 0), newShop(t, sys, 1)}
	s := shops[0]

	p := s.createProduct(ctx, "last units", 999, 20)
	buyers := registerMany(ctx, t, shops, 200)

	results := make([]buyOutcome, len(buyers))
	startLine := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range buyers {
		wg.Go(func() {
			<-startLine
			results[i] = shops[i%2].buy(ctx, b, p.ID, 4)
		})
	}
	began := time.Now()
	close(startLine)
	wg.Wait()
	load1, _ := loadAverage()
	t.Logf("200 concurrent buyers done in %s (load average %s)", time.Since(began).Round(time.Millisecond), load1)

	confirmed, insufficient, shed, retried, lookedUp := 0, 0, 0, 0, 0
	byOrder := map[string]int{}
	for i, r := range results {
		if r.attempts > 1 {
			retried++
		}
		if r.lookedUp {
			lookedUp++
		}
		switch {
		case r.order != nil:
			confirmed++
			byOrder[r.order.ID] = i
			if r.order.Status != "CONFIRMED" || r.order.UserID != buyers[i].ID || r.order.Total != 999 {
				t.Errorf("buyer %d got order %+v", i, *r.order)
			}
		case r.err != nil:
			t.Errorf("buyer %d: no answer after %d attempts: %v", i, r.attempts, r.err)
		case r.status != 200:
			t.Errorf("buyer %d: status %d %s %q", i, r.status, r.codes, r.msg)
		case r.codes == "[INSUFFICIENT_STOCK]":
			insufficient++
		case r.codes == "[SERVICE_UNAVAILABLE]":
			// Still unavailable after every retry, and no order was made:
			// a clear refusal, counted and reported, never a sale.
			shed++
		default:
			t.Errorf("buyer %d: unexpected answer: codes %s %q", i, r.codes, r.msg)
		}
	}
	t.Logf("confirmed %d (%d found by looking up after an ambiguous answer), insufficient %d, unavailable after %d attempts %d; %d buyers retried",
		confirmed, lookedUp, insufficient, 4, shed, retried)
	if confirmed != 20 || insufficient+shed != 180 {
		t.Errorf("confirmed %d, insufficient %d, unavailable %d; want exactly 20 sold and 180 refused", confirmed, insufficient, shed)
	}
	// Orders whose outcome a timeout hid are settled by recovery; wait for
	// it, until nothing is left on the orders work list either.
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := s.invariantErr(ctx, map[string]int{p.ID: 20})
		if err == nil {
			err = s.orderHealthErr(ctx)
		}
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := s.orderHealthErr(ctx); err != nil {
		t.Errorf("60s after the race: %v", err)
	}
	// The book agrees with what buyers were told: every confirmed order is
	// one a buyer holds, one per buyer at most.
	perBuyer := map[string]int{}
	for _, o := range s.allOrders(ctx) {
		if o.Status != "CONFIRMED" || len(o.Products) != 1 || o.Products[0].ID != p.ID {
			continue
		}
		perBuyer[o.UserID]++
		if i, ok := byOrder[o.ID]; !ok || buyers[i].ID != o.UserID {
			t.Errorf("order %+v is CONFIRMED but no buyer was told so", o)
		}
	}
	for user, n := range perBuyer {
		if n > 1 {
			t.Errorf("user %s has %d confirmed orders, want at most 1 (a retry bought twice)", user, n)
		}
	}
	// Every products replica must agree, asked directly and through both
	// routers.
	for _, sh := range shops {
		if q := sh.product(ctx, p.ID).Quantity; q != 0 {
			t.Errorf("quantity after the race = %d, want 0", q)
		}
	}
	for _, ps := range sys.Products {
		direct := &shop{t: t, c: harness.NewClient(ps.GraphQL())}
		if q := direct.product(ctx, p.ID).Quantity; q != 0 {
			t.Errorf("%s: quantity after the race = %d, want 0", ps.Name, q)
		}
	}
	if sold := s.invariant(ctx, map[string]int{p.ID: 20}); sold[p.ID] != 20 {
		t.Errorf("units in live orders = %d, want 20", sold[p.ID])
	}

	// A restock is sold again, exactly, to buyers who have none yet.
	var restocked struct{ RestockProduct product }
	s.must(ctx, `mutation($id: ID!) { restockProduct(id: $id, quantity: 5) { quantity } }`, map[string]any{"id": p.ID}, s.admin, &restocked)
	if restocked.RestockProduct.Quantity != 5 {
		t.Fatalf("after restock quantity = %d, want 5", restocked.RestockProduct.Quantity)
	}
	var fresh []account
	for i, b := range buyers {
		if results[i].order == nil && len(fresh) < 30 {
			fresh = append(fresh, b)
		}
	}
	var again sync.WaitGroup
	var mu sync.Mutex
	more := 0
	for i, b := range fresh {
		again.Go(func() {
			r := shops[i%2].buy(ctx, b, p.ID, 4)
			switch {
			case r.order != nil:
				mu.Lock()
				more++
				mu.Unlock()
			case r.codes != "[INSUFFICIENT_STOCK]" && r.codes != "[SERVICE_UNAVAILABLE]":
				t.Errorf("after restock: status %d codes %s %q %v", r.status, r.codes, r.msg, r.err)
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

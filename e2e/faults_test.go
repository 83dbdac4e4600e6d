package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestFaults injects faults into a running system under load, one after the
// other: kill -9 of a products replica, kill -9 of an orders replica (which
// leaves orders between reservation and confirmation), the broker and Redis
// gone for 10 s, and the database server restarted. After each the system
// must serve again through both routers and, once settled (no PENDING
// order), the inventory invariant must hold exactly: a lost event would
// leave stock unreleased, one applied twice would release it twice.
//
// It runs alone (no t.Parallel), so the faults are the only disturbance.
func TestFaults(t *testing.T) {
	sys := harness.Start(t, bins, harness.Options{Products: 2, Orders: 2, Routers: 2, Env: recoveryEnv()})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	shops := []*shop{newShop(t, sys, 0), newShop(t, sys, 1)}
	s := shops[0]

	supplied := map[string]int{}
	var ids []string
	// Enough stock that the load of every phase cannot sell out a product
	// (servesAgain needs one unit of each), however fast the orders go.
	const stock = 20000
	for _, name := range []string{"fault tea", "fault coffee", "fault cocoa"} {
		p := s.createProduct(ctx, name, 300, stock)
		supplied[p.ID] = stock
		ids = append(ids, p.ID)
	}
	buyers := registerMany(ctx, t, shops, 20)

	// settle waits until no order is PENDING and the invariant holds.
	settle := func(t *testing.T, what string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		var err error
		for time.Now().Before(deadline) {
			for _, sh := range shops {
				if _, err = sh.invariantErr(ctx, supplied); err == nil {
					break
				}
			}
			if err == nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
		byStatus := map[string]int{}
		for _, o := range s.allOrders(ctx) {
			byStatus[o.Status]++
		}
		t.Fatalf("after %s the system did not settle in 90s: %v (orders by status %v)", what, err, byStatus)
	}
	// servesAgain orders and browses successfully through every router.
	servesAgain := func(t *testing.T) {
		t.Helper()
		for i, sh := range shops {
			var placed struct{ PlaceOrder order }
			deadline := time.Now().Add(30 * time.Second)
			for {
				r := sh.placeOrder(ctx, buyers[i], ids[i], 1)
				if len(r.Errors) == 0 && r.Decode(&placed) == nil && placed.PlaceOrder.Status == "CONFIRMED" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("router %d does not take orders again: %s", i, r.Body)
				}
				time.Sleep(250 * time.Millisecond)
			}
			sh.product(ctx, ids[i])
		}
	}
	underLoad := func(t *testing.T, fault func()) {
		t.Helper()
		lctx, stop := context.WithCancel(ctx)
		wait := runLoad(lctx, t, shops, buyers, ids, 6, 0.5)
		time.Sleep(1500 * time.Millisecond)
		fault()
		time.Sleep(1500 * time.Millisecond)
		stop()
		t.Logf("load during the fault: %s", wait())
	}

	t.Run("kill -9 a products replica", func(t *testing.T) {
		underLoad(t, func() {
			sys.Products[0].Proc.Kill()
			time.Sleep(2 * time.Second)
			if err := sys.Restart(ctx, sys.Products[0]); err != nil {
				t.Fatal(err)
			}
		})
		servesAgain(t)
		settle(t, "a products replica was killed")
	})

	t.Run("kill -9 an orders replica", func(t *testing.T) {
		underLoad(t, func() {
			sys.Orders[0].Proc.Kill()
			time.Sleep(2 * time.Second)
			if err := sys.Restart(ctx, sys.Orders[0]); err != nil {
				t.Fatal(err)
			}
		})
		servesAgain(t)
		settle(t, "an orders replica was killed")
	})

	t.Run("broker and redis down for 10s", func(t *testing.T) {
		// Orders to cancel while the broker is away: the release of their
		// stock travels as an event and must arrive exactly once.
		var toCancel []order
		for i := range 4 {
			var placed struct{ PlaceOrder order }
			r := shops[i%2].placeOrder(ctx, buyers[i], ids[i%len(ids)], 2)
			if r.Decode(&placed) != nil || placed.PlaceOrder.Status != "CONFIRMED" {
				t.Fatalf("order before the outage: %s", r.Body)
			}
			toCancel = append(toCancel, placed.PlaceOrder)
		}
		settle(t, "orders before the outage")
		underLoad(t, func() {
			sys.Bus.Kill()
			for i, o := range toCancel {
				r := shops[i%2].do(ctx, `mutation($id: ID!) { cancelOrder(id: $id) { status } }`, map[string]any{"id": o.ID}, buyers[i].auth())
				if len(r.Errors) > 0 {
					t.Errorf("cancel while the broker is down: %s", r.Body)
				}
			}
			// Reads must not fail without Redis.
			for _, sh := range shops {
				if r := sh.do(ctx, `{ products(take: 5) { _id quantity } }`, nil, nil); len(r.Errors) > 0 {
					t.Errorf("browsing without Redis: %s", r.Body)
				}
			}
			time.Sleep(10 * time.Second)
			if err := sys.Bus.Restart(ctx); err != nil {
				t.Fatal(err)
			}
		})
		servesAgain(t)
		settle(t, "the broker and Redis came back")
	})

	t.Run("database server restarted", func(t *testing.T) {
		underLoad(t, func() {
			sys.DB.Kill()
			time.Sleep(2 * time.Second)
			if err := sys.DB.Restart(ctx); err != nil {
				t.Fatal(err)
			}
		})
		servesAgain(t)
		settle(t, "the database server restarted")
	})
	sys.CheckAlive(t)
}

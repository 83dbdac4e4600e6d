package realfault

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRealRedisStopDuringReads keeps readers busy on the products service
// (the real app package, with its Redis cache) while Redis is stopped and
// later killed, each time for a few seconds, then brought back. No read may
// fail and every read must return the right data: a cache outage only sends
// reads to the database. A restock while Redis is down must be visible to
// reads after Redis returns (no stale cache entry survives the outage).
func TestRealRedisStopDuringReads(t *testing.T) {
	env, ctl := setup(t)
	t.Cleanup(func() { _ = ctl.Ensure(context.Background(), "redis") })
	svc := startProducts(t, env)
	const items = 5
	ids := make([]string, items)
	for i := range items {
		ids[i] = svc.create(t, fmt.Sprintf("fault-redis-%d", i), 10+i).ID
	}
	var want sync.Map // id -> expected quantity
	for i, id := range ids {
		want.Store(id, 10+i)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var reads, failures atomic.Int64
	var firstFailure atomic.Value
	fail := func(msg string) {
		if failures.Add(1) == 1 {
			firstFailure.Store(msg)
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				id := ids[(w+i)%items]
				rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
				var r gqlResult
				var status int
				var err error
				if i%3 == 0 {
					r, status, err = svc.gql(rctx, `query{ products(take: 100){ _id quantity } }`, nil, false)
				} else {
					r, status, err = svc.gql(rctx, `query($id: ID!){ product(id: $id){ _id quantity } }`, map[string]any{"id": id}, false)
				}
				rcancel()
				reads.Add(1)
				switch {
				case err != nil:
					fail(fmt.Sprintf("read: %v", err))
				case status != 200 || len(r.Errors) > 0:
					fail(fmt.Sprintf("read: status %d errors %+v", status, r.Errors))
				case i%3 != 0:
					var p product
					if err := json.Unmarshal(r.Data["product"], &p); err != nil || p.ID != id {
						fail(fmt.Sprintf("read %s: got %s (%v)", id, r.Data["product"], err))
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	stopReaders := func() { cancel(); wg.Wait() }
	defer stopReaders()

	phase := func(name string) {
		before := reads.Load()
		time.Sleep(2 * time.Second)
		t.Logf("%s: %d reads, %d failed so far", name, reads.Load()-before, failures.Load())
	}
	phase("redis up")
	mustControl(t, ctl.Stop, "redis")
	phase("redis stopped")

	// A write while the cache is down must not leave a stale entry behind.
	var restocked product
	svc.mustGQL(t, `mutation($id: ID!){ restockProduct(id: $id, quantity: 7){ _id quantity } }`,
		map[string]any{"id": ids[0]}, true, "restockProduct", &restocked)
	if restocked.Quantity != 17 {
		t.Errorf("restock while redis down: quantity %d, want 17", restocked.Quantity)
	}
	want.Store(ids[0], 17)
	phase("redis stopped, after restock")
	mustControl(t, ctl.Start, "redis")
	phase("redis back")
	mustControl(t, ctl.Kill, "redis")
	phase("redis killed")
	mustControl(t, ctl.Start, "redis")
	phase("redis back again")
	stopReaders()

	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of %d reads failed; first: %v", n, reads.Load(), firstFailure.Load())
	}
	for _, id := range ids {
		var p product
		svc.mustGQL(t, `query($id: ID!){ product(id: $id){ _id quantity } }`, map[string]any{"id": id}, false, "product", &p)
		w, _ := want.Load(id)
		if p.Quantity != w.(int) {
			t.Errorf("product %s after the outage: quantity %d, want %d", id, p.Quantity, w)
		}
	}
	t.Logf("%d reads, none failed", reads.Load())
}

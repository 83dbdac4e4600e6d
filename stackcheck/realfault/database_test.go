package realfault

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRealDatabaseRestartUnderLoad restocks and reads products through the
// products service while the database goes away three times: PostgreSQL
// (the storage under FerretDB) shut down, PostgreSQL crashed, and FerretDB
// (the MongoDB endpoint itself) killed. While it is down, requests must fail
// quickly with a GraphQL error that has a message (never hang, never a
// broken response) and /ready must say 503; after it returns, requests must
// succeed again and the stock must be consistent: every acknowledged restock
// applied, none applied twice, so initial + acknowledged <= quantity <=
// initial + attempted, and a restock after recovery moves the quantity by
// exactly its amount.
func TestRealDatabaseRestartUnderLoad(t *testing.T) {
	env, ctl := setup(t)
	t.Cleanup(func() {
		_ = ctl.Ensure(context.Background(), "postgres")
		_ = ctl.Ensure(context.Background(), "ferretdb")
	})
	svc := startProducts(t, env)
	const initial = 100
	p := svc.create(t, "fault-db", initial)

	var attempted, acked, errored, reads atomic.Int64
	var downErrors sync.Map // distinct error messages seen
	var slowest atomic.Int64
	var broken atomic.Value
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	worker := func(write bool) {
		for ctx.Err() == nil {
			rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
			start := time.Now()
			var r gqlResult
			var err error
			if write {
				attempted.Add(1)
				r, _, err = svc.gql(rctx, `mutation($id: ID!){ restockProduct(id: $id, quantity: 1){ _id quantity } }`,
					map[string]any{"id": p.ID}, true)
			} else {
				reads.Add(1)
				r, _, err = svc.gql(rctx, `query($id: ID!){ product(id: $id){ _id quantity } }`, map[string]any{"id": p.ID}, false)
			}
			rcancel()
			slowest.Store(max(slowest.Load(), int64(time.Since(start))))
			switch {
			case err != nil:
				broken.CompareAndSwap(nil, fmt.Sprintf("no usable response: %v", err))
			case len(r.Errors) > 0:
				errored.Add(1)
				msg := r.Errors[0].Message
				if strings.TrimSpace(msg) == "" {
					broken.CompareAndSwap(nil, "an error without a message")
				}
				code, _ := r.Errors[0].Extensions["code"].(string)
				downErrors.Store(fmt.Sprintf("%s (code %s)", msg, code), true)
			case write:
				acked.Add(1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for i := range 4 {
		wg.Go(func() { worker(i%2 == 0) })
	}
	stop := func() { cancel(); wg.Wait() }
	defer stop()

	readyIs := func(want int) func() bool {
		return func() bool {
			rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer rcancel()
			code, err := svc.ready(rctx)
			return err == nil && code == want
		}
	}
	time.Sleep(2 * time.Second)
	if errored.Load() > 0 {
		t.Fatalf("%d requests failed before any fault", errored.Load())
	}
	for _, fault := range []struct {
		server, name string
		step         func(context.Context, string) error
	}{
		{"postgres", "shut down", ctl.Stop},
		{"postgres", "crashed", ctl.Kill},
		{"ferretdb", "killed (the MongoDB endpoint vanishes)", ctl.Kill},
	} {
		beforeErr, beforeAck := errored.Load(), acked.Load()
		mustControl(t, fault.step, fault.server)
		waitFor(t, 30*time.Second, "/ready to report 503 with the database "+fault.name, readyIs(503))
		time.Sleep(3 * time.Second)
		if errored.Load() == beforeErr {
			t.Errorf("%s %s: no request failed while it was down", fault.server, fault.name)
		}
		mustControl(t, ctl.Start, fault.server)
		waitFor(t, time.Minute, "/ready to report 200 after the database came back", readyIs(200))
		recovered := acked.Load()
		waitFor(t, time.Minute, "restocks to succeed again", func() bool { return acked.Load() > recovered+5 })
		t.Logf("%s %s: %d errors, %d acknowledged restocks before it, %d after",
			fault.server, fault.name, errored.Load()-beforeErr, beforeAck, acked.Load())
	}
	stop()

	if b := broken.Load(); b != nil {
		t.Fatalf("a request got %v", b)
	}
	if d := time.Duration(slowest.Load()); d > 20*time.Second {
		t.Errorf("slowest request took %s: requests must fail fast while the database is down", d)
	}
	var msgs []string
	downErrors.Range(func(k, _ any) bool { msgs = append(msgs, k.(string)); return len(msgs) < 5 })
	t.Logf("errors seen while down (up to 5): %q", msgs)

	var got product
	svc.mustGQL(t, `query($id: ID!){ product(id: $id){ _id quantity } }`, map[string]any{"id": p.ID}, false, "product", &got)
	lo, hi := initial+int(acked.Load()), initial+int(attempted.Load())
	if got.Quantity < lo || got.Quantity > hi {
		t.Fatalf("quantity %d after recovery, want between %d (acknowledged) and %d (attempted)", got.Quantity, lo, hi)
	}
	var after product
	svc.mustGQL(t, `mutation($id: ID!){ restockProduct(id: $id, quantity: 5){ _id quantity } }`,
		map[string]any{"id": p.ID}, true, "restockProduct", &after)
	var reread product
	svc.mustGQL(t, `query($id: ID!){ product(id: $id){ _id quantity } }`, map[string]any{"id": p.ID}, false, "product", &reread)
	if after.Quantity != got.Quantity+5 || reread.Quantity != after.Quantity {
		t.Fatalf("restock after recovery: %d -> %d, read back %d; want +5", got.Quantity, after.Quantity, reread.Quantity)
	}
	t.Logf("%d restocks attempted, %d acknowledged, %d reads; quantity %d in [%d, %d]",
		attempted.Load(), acked.Load(), reads.Load(), got.Quantity, lo, hi)
}

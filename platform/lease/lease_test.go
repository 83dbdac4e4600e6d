package lease_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/lease"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// clock is a settable time source shared by the replicas of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestOneHolderAtATime: of replicas asking concurrently, exactly one holds
// each slot; the holder keeps the lease across slots while it keeps asking;
// when it stops (it died), another takes over in the next slot.
func TestOneHolderAtATime(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("lease"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // teardown

	const slot = 10 * time.Second
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	names := []string{"a", "b", "c", "d"}
	replicas := map[string]*lease.Lease{}
	for _, n := range names {
		replicas[n] = lease.New(db, lease.Options{Name: "work", Owner: n, Slot: slot, Now: c.now})
	}
	// holders asks every live replica at once and returns who holds.
	holders := func(live []string) []string {
		t.Helper()
		var mu sync.Mutex
		var out []string
		var wg sync.WaitGroup
		for _, n := range live {
			wg.Go(func() {
				held, err := replicas[n].Held(ctx)
				if err != nil {
					t.Error(err)
				}
				if held {
					mu.Lock()
					out = append(out, n)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return out
	}

	first := holders(names)
	if len(first) != 1 {
		t.Fatalf("holders of the first slot: %v, want exactly one", first)
	}
	holder := first[0]
	for _, n := range names {
		if got := replicas[n].Holding(); got != (n == holder) {
			t.Fatalf("%s: Holding() = %v after Held, want %v", n, got, n == holder)
		}
	}
	// Ask several times per slot over five slots: the holder stays.
	for range 5 * 5 {
		c.add(slot / 5)
		if got := holders(names); len(got) != 1 || got[0] != holder {
			t.Fatalf("at %v holders %v, want only %s", c.now(), got, holder)
		}
	}
	// The holder dies: the rest ask on. At most the rest of the slot it
	// claimed ahead passes without a holder; then exactly one other holds.
	var rest []string
	for _, n := range names {
		if n != holder {
			rest = append(rest, n)
		}
	}
	var next []string
	for range 2 * 5 {
		c.add(slot / 5)
		if next = holders(rest); len(next) > 0 {
			break
		}
	}
	if len(next) != 1 {
		t.Fatalf("after the holder died: holders %v, want exactly one within two slots", next)
	}
}

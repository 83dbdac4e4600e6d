package ordering_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func slotBoundary(n int64) time.Time { return time.Unix(0, n*int64(ordering.LeaseSlot)) }
func holds(t *testing.T, l *ordering.Lease) bool {
	t.Helper()
	if _, err := l.Hold(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l.Held()
}

// TestLeaseHandsOverOnlyWhenTheHolderStops: the holder keeps the lease
// across slot boundaries by inserting the next slot's record early; the
// other replica, which only claims the slot it is in, takes over only once
// the holder stopped renewing.
func TestLeaseHandsOverOnlyWhenTheHolderStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	var ca, cb clock
	a := ordering.NewLease(f.store, "a", nil, ca.now)
	b := ordering.NewLease(f.store, "b", nil, cb.now)
	k := time.Now().UnixNano() / int64(ordering.LeaseSlot)
	ca.set(slotBoundary(k).Add(time.Second))
	cb.set(slotBoundary(k).Add(time.Second))
	if !holds(t, a) || holds(t, b) {
		t.Fatal("a should hold slot k alone")
	}
	for n := k; n < k+4; n++ {
		// The second half of slot n: a claims n+1 before the boundary.
		ca.set(slotBoundary(n).Add(6 * time.Second))
		cb.set(slotBoundary(n).Add(6 * time.Second))
		if !holds(t, a) || holds(t, b) {
			t.Fatalf("slot %d, second half: a should hold alone", n-k)
		}
		// Just after the boundary b tries slot n+1 and finds a's record.
		cb.set(slotBoundary(n + 1).Add(10 * time.Millisecond))
		if holds(t, b) {
			t.Fatalf("b took slot %d from a live holder", n+1-k)
		}
	}
	// a stops renewing: it still holds slot k+4 (claimed early), and b
	// takes slot k+5 after its boundary.
	cb.set(slotBoundary(k + 4).Add(7 * time.Second))
	if holds(t, b) {
		t.Fatal("b took the slot a claimed")
	}
	cb.set(slotBoundary(k + 5).Add(time.Millisecond))
	ca.set(slotBoundary(k + 5).Add(2 * time.Millisecond))
	if !holds(t, b) || holds(t, a) {
		t.Fatal("b should take over the slot after a stopped")
	}
	// Past slots are cleaned up as the holder moves on.
	if owner, err := f.store.SlotOwner(context.Background(), k); err != nil || owner != "" {
		t.Fatalf("slot k record %q %v, want deleted", owner, err)
	}
	// The lease runs out with its slot.
	cb.add(2 * ordering.LeaseSlot)
	if b.Held() {
		t.Fatal("b holds a lease it did not renew")
	}
}

// TestLeaseHasOneHolderPerSlot: replicas racing for a free slot.
func TestLeaseHasOneHolderPerSlot(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	var c clock
	c.set(time.Now().Truncate(ordering.LeaseSlot).Add(time.Second))
	const replicas = 12
	var wg sync.WaitGroup
	var held atomic.Int32
	for i := range replicas {
		l := ordering.NewLease(f.store, fmt.Sprint("r", i), nil, c.now)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Hold(context.Background()); err != nil {
				t.Error(err)
			}
			if l.Held() {
				held.Add(1)
			}
		}()
	}
	wg.Wait()
	if held.Load() != 1 {
		t.Fatalf("%d replicas hold the lease, want 1", held.Load())
	}
}

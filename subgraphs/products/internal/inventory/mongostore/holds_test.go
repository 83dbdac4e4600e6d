package mongostore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// Many sweepers of two "replicas" (services with their own locks) release
// one expired hold at once: its units come back exactly once.
func TestConcurrentSweepersReleaseOnce(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "sweep")
	ctx := context.Background()
	products, a := st.Services()
	_, b := st.Services()
	a.SetHoldTTL(time.Millisecond)
	p, err := products.Create(ctx, catalog.CreateInput{Name: "swept", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	q, err := products.Create(ctx, catalog.CreateInput{Name: "swept too", Price: 10, Quantity: 3})
	if err != nil {
		t.Fatal(err)
	}
	h, err := a.SetHold(ctx, "cart-swept", []inventory.Line{{ProductID: p.ID, Quantity: 4}, {ProductID: q.ID, Quantity: 3}})
	if err != nil || len(h.Problems) != 0 {
		t.Fatalf("set hold: %+v %v", h, err)
	}
	time.Sleep(20 * time.Millisecond)
	var released atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		svc := a
		if i%2 == 1 {
			svc = b
		}
		wg.Go(func() {
			n, err := svc.SweepHolds(ctx, 100)
			if err != nil {
				t.Errorf("sweep: %v", err)
			}
			released.Add(int64(n))
		})
	}
	wg.Wait()
	if released.Load() != 7 {
		t.Fatalf("sweepers released %d units, want 7", released.Load())
	}
	for _, c := range []struct {
		id    string
		stock int
	}{{p.ID, 10}, {q.ID, 3}} {
		got, err := products.Get(ctx, c.id)
		if err != nil || got.Quantity != c.stock {
			t.Fatalf("product %s quantity = %d (%v), want %d", c.id, got.Quantity, err, c.stock)
		}
		ms, err := b.Movements(ctx, c.id, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range ms {
			if m.Kind == inventory.KindHoldRelease {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("product %s has %d hold releases, want 1", c.id, n)
		}
	}
	if h, err := b.GetHold(ctx, "cart-swept"); err != nil || h.Lines[0].Quantity != 0 || h.Lines[1].Quantity != 0 {
		t.Fatalf("hold after sweep = %+v (%v)", h, err)
	}
	// Nothing is left to sweep.
	if n, err := a.SweepHolds(ctx, 100); err != nil || n != 0 {
		t.Fatalf("second sweep released %d (%v)", n, err)
	}
}

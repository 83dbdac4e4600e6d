package mongostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// A runner that crashed right after appending a reserve entry, before
// recording it, leaves the entry and its attempt only: a release finds the
// entry through the operation's unique index and gives its units back
// once, however often it is called.
func TestReleaseFindsTheEntryOfACrashedRunner(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "crash")
	ctx := context.Background()
	products, svc := st.Services()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "crashed", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	q, err := products.Create(ctx, catalog.CreateInput{Name: "never reached", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	// What the runner did before it died: its attempt, then the reserve
	// entry of its first line (and nothing of the second).
	if err := st.Stock.InsertAttempt(ctx, inventory.Attempt{OrderID: "o-crash", N: 1, Products: []string{p.ID, q.ID}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	entry := inventory.Movement{ProductID: p.ID, Version: 2, Kind: inventory.KindReserve, Delta: -3, Balance: 7,
		OrderID: "o-crash", OpKey: "o-crash", UnitPrice: 10, CreatedAt: time.Now()}
	if err := st.Stock.AppendMovement(ctx, entry); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r, err := svc.Release(ctx, "o-crash")
		if err != nil || r.EffectiveStatus() != inventory.StatusReleased {
			t.Fatalf("release %d = %+v (%v)", i, r, err)
		}
	}
	// A retry of the order after the release reserves nothing.
	if r, err := svc.Reserve(ctx, "o-crash", []inventory.Line{{ProductID: p.ID, Quantity: 3}}); err != nil || r.EffectiveStatus() != inventory.StatusReleased {
		t.Fatalf("reserve after release = %+v (%v)", r, err)
	}
	for _, id := range []string{p.ID, q.ID} {
		got, err := products.Get(ctx, id)
		if err != nil || got.Quantity != 10 {
			t.Fatalf("product %s quantity = %d (%v), want 10", id, got.Quantity, err)
		}
	}
	ms, err := svc.Movements(ctx, p.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[inventory.Kind]int{}
	for _, m := range ms {
		kinds[m.Kind]++
	}
	if kinds[inventory.KindReserve] != 1 || kinds[inventory.KindRelease] != 1 || len(ms) != 3 {
		t.Fatalf("ledger = %+v, want create, reserve, release", ms)
	}
}

// A hold change that crashed between its ledger entry and the record of
// its hold line position is found when the next change of the line takes
// the same position: the line then counts it.
func TestHoldLineCountsAChangeWhoseRecordIsMissing(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "crashline")
	ctx := context.Background()
	products, svc := st.Services()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "held", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := svc.SetHold(ctx, "cart-crash", []inventory.Line{{ProductID: p.ID, Quantity: 2}}); err != nil || h.Lines[0].Quantity != 2 {
		t.Fatalf("hold = %+v (%v)", h, err)
	}
	// Another replica grew the hold to 5 and died before recording the
	// line's second position (keys as inventory's holdLineKey makes them).
	entry := inventory.Movement{ProductID: p.ID, Version: 3, Kind: inventory.KindHold, Delta: -3, Balance: 5, OpKey: "lost",
		HoldID: "cart-crash", HoldLine: "holdline:cart-crash:" + p.ID + ":2", Held: 5, CreatedAt: time.Now()}
	if err := st.Stock.AppendMovement(ctx, entry); err != nil {
		t.Fatal(err)
	}
	_, other := st.Services()
	h, err := other.SetHold(ctx, "cart-crash", []inventory.Line{{ProductID: p.ID, Quantity: 1}})
	if err != nil || len(h.Lines) != 1 || h.Lines[0].Quantity != 1 {
		t.Fatalf("hold after the repair = %+v (%v), want 1 unit", h, err)
	}
	if got, err := products.Get(ctx, p.ID); err != nil || got.Quantity != 9 {
		t.Fatalf("quantity = %d (%v), want 9", got.Quantity, err)
	}
}

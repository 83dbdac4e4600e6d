package mongostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// A runner that crashed right after appending a reserve entry, before
// recording it, leaves the entry and its attempt only: a release finds the
// entry through the operation's unique index and gives its units back
// once, however often it is called.
func TestReleaseFindsTheEntryOfACrashedRunner(t *testing.T) {
	t.Parallel()
	store, _ := monitoredStore(t, "crash")
	ctx := context.Background()
	svc := catalog.NewService(store, nil)
	p, err := svc.Create(ctx, catalog.CreateInput{Name: "crashed", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	q, err := svc.Create(ctx, catalog.CreateInput{Name: "never reached", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	// What the runner did before it died: its attempt, then the reserve
	// entry of its first line (and nothing of the second).
	if err := store.InsertAttempt(ctx, catalog.Attempt{OrderID: "o-crash", N: 1, Products: []string{p.ID, q.ID}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	entry := catalog.Movement{ProductID: p.ID, Version: 2, Kind: catalog.KindReserve, Delta: -3, Balance: 7,
		OrderID: "o-crash", OpKey: "o-crash", UnitPrice: 10, CreatedAt: time.Now()}
	if err := store.AppendMovement(ctx, entry); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r, err := svc.Release(ctx, "o-crash")
		if err != nil || r.EffectiveStatus() != catalog.StatusReleased {
			t.Fatalf("release %d = %+v (%v)", i, r, err)
		}
	}
	// A retry of the order after the release reserves nothing.
	if r, err := svc.Reserve(ctx, "o-crash", []catalog.Line{{ProductID: p.ID, Quantity: 3}}); err != nil || r.EffectiveStatus() != catalog.StatusReleased {
		t.Fatalf("reserve after release = %+v (%v)", r, err)
	}
	for _, id := range []string{p.ID, q.ID} {
		got, err := svc.Get(ctx, id)
		if err != nil || got.Quantity != 10 {
			t.Fatalf("product %s quantity = %d (%v), want 10", id, got.Quantity, err)
		}
	}
	ms, err := svc.Movements(ctx, p.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[catalog.Kind]int{}
	for _, m := range ms {
		kinds[m.Kind]++
	}
	if kinds[catalog.KindReserve] != 1 || kinds[catalog.KindRelease] != 1 || len(ms) != 3 {
		t.Fatalf("ledger = %+v, want create, reserve, release", ms)
	}
}

// A hold change that crashed between its ledger entry and the record of
// its hold line position is found when the next change of the line takes
// the same position: the line then counts it.
func TestHoldLineCountsAChangeWhoseRecordIsMissing(t *testing.T) {
	t.Parallel()
	store, _ := monitoredStore(t, "crashline")
	ctx := context.Background()
	svc := catalog.NewService(store, nil)
	p, err := svc.Create(ctx, catalog.CreateInput{Name: "held", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := svc.SetHold(ctx, "cart-crash", []catalog.Line{{ProductID: p.ID, Quantity: 2}}); err != nil || h.Lines[0].Quantity != 2 {
		t.Fatalf("hold = %+v (%v)", h, err)
	}
	// Another replica grew the hold to 5 and died before recording the
	// line's second position (keys as catalog's holdLineKey makes them).
	entry := catalog.Movement{ProductID: p.ID, Version: 3, Kind: catalog.KindHold, Delta: -3, Balance: 5, OpKey: "lost",
		HoldID: "cart-crash", HoldLine: "holdline:cart-crash:" + p.ID + ":2", Held: 5, CreatedAt: time.Now()}
	if err := store.AppendMovement(ctx, entry); err != nil {
		t.Fatal(err)
	}
	h, err := catalog.NewService(store, nil).SetHold(ctx, "cart-crash", []catalog.Line{{ProductID: p.ID, Quantity: 1}})
	if err != nil || len(h.Lines) != 1 || h.Lines[0].Quantity != 1 {
		t.Fatalf("hold after the repair = %+v (%v), want 1 unit", h, err)
	}
	if got, err := svc.Get(ctx, p.ID); err != nil || got.Quantity != 9 {
		t.Fatalf("quantity = %d (%v), want 9", got.Quantity, err)
	}
}

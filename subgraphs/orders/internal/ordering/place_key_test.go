package ordering_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// TestPlaceWithKeyRetries: retries with the same key by the same user get
// the same order and reserve once, sequential or concurrent, whatever the
// first call got to; other lines under the key are refused.
func TestPlaceWithKeyRetries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Hour)
	ctx := context.Background()
	choc, tea := f.inv.AddProduct(20, 10), f.inv.AddProduct(150, 5)
	two := lines(ordering.LineInput{ProductID: choc, Quantity: 3}, ordering.LineInput{ProductID: tea, Quantity: 1})

	first, err := f.svc.PlaceWithKey(ctx, alice, two, "k1")
	if err != nil || first.Status != ordering.StatusConfirmed {
		t.Fatalf("first: %+v %v", first, err)
	}
	// The same lines in another order are the same order.
	again, err := f.svc.PlaceWithKey(ctx, alice, lines(ordering.LineInput{ProductID: tea, Quantity: 1}, ordering.LineInput{ProductID: choc, Quantity: 3}), "k1")
	if err != nil || again.ID != first.ID || again.Status != ordering.StatusConfirmed || again.Total != first.Total {
		t.Fatalf("retry: %+v %v, want order %s", again, err, first.ID)
	}
	if f.inv.Stock(choc) != 7 || f.inv.Stock(tea) != 4 {
		t.Fatalf("stock choc %d tea %d: reserved more than once", f.inv.Stock(choc), f.inv.Stock(tea))
	}

	refusals := []struct {
		name string
		in   []*ordering.LineInput
		key  string
	}{
		{"other quantity", lines(ordering.LineInput{ProductID: choc, Quantity: 4}, ordering.LineInput{ProductID: tea, Quantity: 1}), "k1"},
		{"fewer lines", lines(ordering.LineInput{ProductID: choc, Quantity: 3}), "k1"},
		{"empty key", two, ""},
		{"long key", two, strings.Repeat("k", ordering.MaxKeyLength+1)},
	}
	for _, tc := range refusals {
		if _, err := f.svc.PlaceWithKey(ctx, alice, tc.in, tc.key); !errorsAsInput(err) {
			t.Fatalf("%s: %v, want an input error", tc.name, err)
		}
	}

	// Concurrent retries of a new key: one order, one reservation.
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := f.svc.PlaceWithKey(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 2}), "k2")
			if err != nil || o.Status != ordering.StatusConfirmed {
				t.Errorf("concurrent: %+v %v", o, err)
			}
			ids[i] = o.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent retries got orders %v, want one", ids)
		}
	}
	if f.inv.Stock(choc) != 5 {
		t.Fatalf("stock %d after concurrent retries, want 5", f.inv.Stock(choc))
	}
	// Keys belong to their user.
	bobs, err := f.svc.PlaceWithKey(ctx, bob, lines(ordering.LineInput{ProductID: choc, Quantity: 2}), "k2")
	if err != nil || bobs.ID == ids[0] || bobs.UserID != bob.UserID {
		t.Fatalf("bob's k2: %+v %v", bobs, err)
	}
	if list, err := f.svc.List(ctx, alice); err != nil || len(list) != 2 {
		t.Fatalf("alice has %d orders (%v), want 2", len(list), err)
	}
	f.checkInvariant(t, choc, tea)
}

// TestPlaceWithKeyResumesACrashedCall: the first call died after claiming
// the key (before writing the order, or before reserving): the retry
// finishes that order under the same id.
func TestPlaceWithKeyResumesACrashedCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Hour)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)
	want := []ordering.Line{{ProductID: choc, Quantity: 4}}
	in := lines(ordering.LineInput{ProductID: choc, Quantity: 4})

	// Died before the order document.
	id := primitive.NewObjectID().Hex()
	if _, err := f.store.ClaimKey(ctx, ordering.KeyRecord{UserID: alice.UserID, Key: "a", OrderID: id, Lines: want, At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	o, err := f.svc.PlaceWithKey(ctx, alice, in, "a")
	if err != nil || o.ID != id || o.Status != ordering.StatusConfirmed {
		t.Fatalf("resume before the order: %+v %v, want %s CONFIRMED", o, err, id)
	}

	// Died after the PENDING order, before products answered.
	id = primitive.NewObjectID().Hex()
	if _, err := f.store.ClaimKey(ctx, ordering.KeyRecord{UserID: alice.UserID, Key: "b", OrderID: id, Lines: want, At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	pending := ordering.Order{ID: id, UserID: alice.UserID, Lines: want, Status: ordering.StatusPending, CreatedAt: time.Now().UTC()}
	if err := f.store.Create(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.Reserve(ctx, id, want); err != nil {
		t.Fatal(err)
	}
	o, err = f.svc.PlaceWithKey(ctx, alice, in, "b")
	if err != nil || o.ID != id || o.Status != ordering.StatusConfirmed || o.Total != 80 {
		t.Fatalf("resume a pending order: %+v %v", o, err)
	}
	if f.inv.Stock(choc) != 2 {
		t.Fatalf("stock %d, want 2 (two orders of 4)", f.inv.Stock(choc))
	}
	// A settled order comes back as it stands.
	if _, err := f.svc.Cancel(ctx, alice, id); err != nil {
		t.Fatal(err)
	}
	if o, err := f.svc.PlaceWithKey(ctx, alice, in, "b"); err != nil || o.ID != id || o.Status != ordering.StatusCancelled {
		t.Fatalf("retry after cancel: %+v %v", o, err)
	}
	if hist, err := f.svc.List(ctx, alice); err != nil || len(hist) != 2 {
		t.Fatalf("history %d orders %v, want 2", len(hist), err)
	}
	if _, err := f.svc.PlaceWithKey(ctx, ordering.Caller{}, in, "b"); !errors.Is(err, ordering.ErrUnauthenticated) {
		t.Fatalf("anonymous: %v", err)
	}
	f.checkInvariant(t, choc)
}

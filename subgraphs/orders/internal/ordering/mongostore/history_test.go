package mongostore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

// TestHistoryByPointReads: orders created concurrently by one user (more
// than a head stride) all land in the user's history exactly once, newest
// first; limits cut from the newest; an entry whose order was never
// written and a retried create are skipped without shortening the page.
func TestHistoryByPointReads(t *testing.T) {
	t.Parallel()
	s, db := newStoreDB(t)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Millisecond)
	const n = 21
	orders := make([]ordering.Order, n)
	for i := range orders {
		orders[i] = ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u1", Lines: []ordering.Line{{ProductID: "p", Quantity: 1}},
			Status: ordering.StatusPending, CreatedAt: base.Add(time.Duration(i) * time.Millisecond)}
	}
	// Four writers at once, each taking the next order (so entry numbers
	// roughly, not exactly, follow creation times).
	var wg sync.WaitGroup
	var next atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := s.Create(ctx, orders[i]); err != nil {
					t.Errorf("create: %v", err)
				}
			}
		}()
	}
	other := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u2", Status: ordering.StatusPending, CreatedAt: base}
	if err := s.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	// A retried create of an existing order: refused, its second entry skipped.
	if err := s.Create(ctx, orders[3]); !errors.Is(err, ordering.ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	newestFirst := func(got []ordering.Order, want ...ordering.Order) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %d orders, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].ID != want[len(want)-1-i].ID {
				t.Fatalf("position %d: %s, want %s", i, got[i].ID, want[len(want)-1-i].ID)
			}
		}
	}
	all, err := s.History(ctx, "u1", 100)
	if err != nil {
		t.Fatal(err)
	}
	newestFirst(all, orders...)
	page, err := s.History(ctx, "u1", 5)
	if err != nil {
		t.Fatal(err)
	}
	newestFirst(page, orders[n-5:]...)
	// The newest order's document was never written (a crash after its
	// history entry): the page reads one entry further.
	oid, _ := primitive.ObjectIDFromHex(orders[n-1].ID)
	if _, err := db.Collection(mongostore.OrdersCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: oid}}); err != nil {
		t.Fatal(err)
	}
	page, err = s.History(ctx, "u1", 5)
	if err != nil {
		t.Fatal(err)
	}
	newestFirst(page, orders[n-6:n-1]...)
	if got, err := s.History(ctx, "u2", 100); err != nil || len(got) != 1 || got[0].ID != other.ID {
		t.Fatalf("u2: %+v %v", got, err)
	}
	if got, err := s.History(ctx, "nobody", 100); err != nil || len(got) != 0 {
		t.Fatalf("nobody: %+v %v", got, err)
	}
}

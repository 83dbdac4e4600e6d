package mongostore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

// HistoryPage walks a user's history both ways, page by page, from the
// cursors it hands out: every order once, in placement order, the second
// entry of a retried create and an entry without its order skipped.
func TestHistoryPage(t *testing.T) {
	t.Parallel()
	s, db := newStoreDB(t)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Millisecond)
	var ids []string
	for i := range 7 {
		o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u1", Status: ordering.StatusPending, CreatedAt: base.Add(time.Duration(i) * time.Millisecond)}
		if err := s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
		if i == 2 {
			// Someone else's order between them, and a retried create
			// (a second entry for order 1).
			if err := s.Create(ctx, ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u2", CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
			retry := ordering.Order{ID: ids[1], UserID: "u1", Status: ordering.StatusPending, CreatedAt: base.Add(time.Millisecond)}
			if err := s.Create(ctx, retry); !errors.Is(err, ordering.ErrExists) {
				t.Fatalf("retried create: %v", err)
			}
		}
	}
	// Order 4's document was never written (a crash after its entry).
	oid, _ := primitive.ObjectIDFromHex(ids[4])
	if _, err := db.Collection(mongostore.OrdersCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: oid}}); err != nil {
		t.Fatal(err)
	}
	want := slices.Delete(slices.Clone(ids), 4, 5)

	walk := func(desc bool, limit int) []string {
		t.Helper()
		var got []string
		q := ordering.PageQuery{Filter: ordering.Filter{UserID: "u1"}, Sort: ordering.SortCreated, Desc: desc, Limit: limit}
		for range 20 {
			items, more, total, err := s.HistoryPage(ctx, "u1", q)
			if err != nil {
				t.Fatal(err)
			}
			if total != 8 {
				t.Fatalf("total %d, want the 8 entries", total)
			}
			for _, it := range items {
				got = append(got, it.Order.ID)
				if it.Cursor.Seq == 0 || it.Cursor.ID != it.Order.ID {
					t.Fatalf("cursor %+v of %s", it.Cursor, it.Order.ID)
				}
			}
			if !more {
				return got
			}
			last := items[len(items)-1].Cursor
			q.After = &last
		}
		t.Fatal("paging does not end")
		return nil
	}
	for _, limit := range []int{1, 2, 4, 100} {
		if got := walk(false, limit); !slices.Equal(got, want) {
			t.Fatalf("ascending by %d = %v, want %v", limit, got, want)
		}
		desc := slices.Clone(want)
		slices.Reverse(desc)
		if got := walk(true, limit); !slices.Equal(got, desc) {
			t.Fatalf("descending by %d = %v, want %v", limit, got, desc)
		}
	}
	if items, more, total, err := s.HistoryPage(ctx, "nobody", ordering.PageQuery{Sort: ordering.SortCreated, Desc: true, Limit: 5}); err != nil || len(items) != 0 || more || total != 0 {
		t.Fatalf("nobody: %v %v %d %v", items, more, total, err)
	}
}

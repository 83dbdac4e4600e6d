package mongostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

// TestMigrateOldFormat: a database written before histories and the work
// list. Migrate enters every order in its user's history and lists the
// unsettled steps, once.
func TestMigrateOldFormat(t *testing.T) {
	t.Parallel()
	s, db := newStoreDB(t)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Millisecond)
	ids := make([]primitive.ObjectID, 3)
	for i := range ids {
		ids[i] = primitive.NewObjectID()
	}
	line := bson.A{bson.D{{Key: "productId", Value: "p"}, {Key: "quantity", Value: 1}, {Key: "unitPrice", Value: 5}}}
	order := func(i int, user, status string, seq int) any {
		return bson.D{{Key: "_id", Value: ids[i]}, {Key: "userId", Value: user}, {Key: "lines", Value: line}, {Key: "status", Value: status},
			{Key: "statusSeq", Value: seq}, {Key: "total", Value: 5}, {Key: "createdAt", Value: base.Add(time.Duration(i) * time.Second)}}
	}
	transition := func(i, step int, to string, needsRelease, released, applied bool) any {
		return bson.D{{Key: "_id", Value: ids[i].Hex() + ":" + string(rune('0'+step))}, {Key: "orderId", Value: ids[i].Hex()}, {Key: "step", Value: step},
			{Key: "to", Value: to}, {Key: "lines", Value: line}, {Key: "total", Value: 5}, {Key: "at", Value: base},
			{Key: "needsRelease", Value: needsRelease}, {Key: "released", Value: released}, {Key: "applied", Value: applied}}
	}
	if _, err := db.Collection(mongostore.OrdersCollection).InsertMany(ctx, []any{
		order(0, "u1", "CONFIRMED", 1), order(1, "u1", "PENDING", 0), order(2, "u2", "CONFIRMED", 1),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection(mongostore.TransitionsCollection).InsertMany(ctx, []any{
		transition(0, 1, "CONFIRMED", false, false, true),
		transition(2, 1, "CONFIRMED", false, false, true),
		transition(2, 2, "CANCELLED", true, false, false),
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	historyOf := func(user string) []string {
		t.Helper()
		os, err := s.History(ctx, user, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range os {
			out = append(out, o.ID+" "+string(o.Status))
		}
		return out
	}
	if got, want := historyOf("u1"), []string{ids[1].Hex() + " PENDING", ids[0].Hex() + " CONFIRMED"}; !slices.Equal(got, want) {
		t.Fatalf("u1 history %v, want %v", got, want)
	}
	if got, want := historyOf("u2"), []string{ids[2].Hex() + " CANCELLED"}; !slices.Equal(got, want) {
		t.Fatalf("u2 history %v, want %v", got, want)
	}
	work, err := s.Work(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, w := range work {
		items = append(items, w.OrderID+":"+string(rune('0'+w.Step)))
	}
	slices.Sort(items)
	want := []string{ids[1].Hex() + ":1", ids[2].Hex() + ":2"}
	slices.Sort(want)
	if !slices.Equal(items, want) {
		t.Fatalf("work %v, want %v", items, want)
	}
	if tr, err := s.Transition(ctx, ids[2].Hex(), ordering.StepCancel); err != nil || !tr.NeedsRelease || tr.Released {
		t.Fatalf("old cancel transition: %+v %v", tr, err)
	}
}

package mongostore_test

import (
	"context"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
)

// Entity resolution hands every representation of one _entities call to
// ByIDs, which must cost one MongoDB query however many ids there are.
func TestByIDsIsOneQuery(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	var finds atomic.Int64
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "find" {
			finds.Add(1)
		}
	}}
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(mon))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	store := mongostore.New(client.Database(testenv.Name("byids")), "t")
	if err := store.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	svc := catalog.NewService(store, nil)
	var ids []string
	for i := range 5 {
		p, err := svc.Create(ctx, catalog.CreateInput{Name: "p" + string(rune('a'+i)), Price: i, Quantity: i})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if _, err := svc.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	before := finds.Load()
	got, err := svc.ByIDs(ctx, append(ids, "64b7f0c2a1b2c3d4e5f60718", "not-an-id"))
	if err != nil {
		t.Fatal(err)
	}
	if n := finds.Load() - before; n != 1 {
		t.Fatalf("ByIDs sent %d finds, want 1", n)
	}
	if len(got) != 5 || !got[ids[0]].Deleted() {
		t.Fatalf("ByIDs = %d products (deleted one: %+v), want all 5 including the deleted", len(got), got[ids[0]])
	}
}

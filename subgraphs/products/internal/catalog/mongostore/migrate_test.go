package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
)

// A product stored before stock documents existed keeps its stock: the
// migration copies its snapshot, and the ledger goes on from its version.
func TestMigrateStockKeepsLegacySnapshots(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("migrate"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	id := primitive.NewObjectID()
	legacy := bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "old"}, {Key: "price", Value: 5},
		{Key: "quantity", Value: 7}, {Key: "stockVersion", Value: int64(3)}, {Key: "createdAt", Value: time.Now()},
		{Key: "updatedAt", Value: time.Now()}, {Key: "deletedAt", Value: nil}}
	if _, err := db.Collection(mongostore.ProductsColl).InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	store := mongostore.New(db, "t")
	if err := store.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := store.MigrateStock(ctx); err != nil {
			t.Fatal(err)
		}
	}
	svc := catalog.NewService(store, nil)
	if got, err := svc.Get(ctx, id.Hex()); err != nil || got.Quantity != 7 {
		t.Fatalf("migrated product = %+v (%v), want quantity 7", got, err)
	}
	if r, err := svc.Reserve(ctx, "legacy-order", []catalog.Line{{ProductID: id.Hex(), Quantity: 2}}); err != nil || r.Status != catalog.StatusReserved {
		t.Fatalf("reserve = %+v (%v)", r, err)
	}
	ms, err := svc.Movements(ctx, id.Hex(), 0, 10)
	if err != nil || len(ms) != 1 || ms[0].Version != 4 || ms[0].Balance != 5 {
		t.Fatalf("ledger after the migration = %+v (%v), want one entry at version 4 with 5 units", ms, err)
	}
}

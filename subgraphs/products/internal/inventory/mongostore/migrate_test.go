package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	catalogstore "github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// A product stored before stock documents existed keeps its stock: the
// migration copies its snapshot, and the ledger goes on from its version.
func TestMigrateStockKeepsLegacySnapshots(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "migrate")
	ctx := context.Background()
	id := primitive.NewObjectID()
	legacy := bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "old"}, {Key: "price", Value: 5},
		{Key: "quantity", Value: 7}, {Key: "stockVersion", Value: int64(3)}, {Key: "createdAt", Value: time.Now()},
		{Key: "updatedAt", Value: time.Now()}, {Key: "deletedAt", Value: nil}}
	if _, err := st.DB.Collection(catalogstore.ProductsColl).InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.Stock.MigrateStock(ctx); err != nil {
			t.Fatal(err)
		}
	}
	products, svc := st.Services()
	if got, err := products.Get(ctx, id.Hex()); err != nil || got.Quantity != 7 {
		t.Fatalf("migrated product = %+v (%v), want quantity 7", got, err)
	}
	if r, err := svc.Reserve(ctx, "legacy-order", []inventory.Line{{ProductID: id.Hex(), Quantity: 2}}); err != nil || r.Status != inventory.StatusReserved {
		t.Fatalf("reserve = %+v (%v)", r, err)
	}
	ms, err := svc.Movements(ctx, id.Hex(), 0, 10)
	if err != nil || len(ms) != 1 || ms[0].Version != 4 || ms[0].Balance != 5 {
		t.Fatalf("ledger after the migration = %+v (%v), want one entry at version 4 with 5 units", ms, err)
	}
}

// Package storetest opens the products subgraph's stores for tests, over
// the embedded stand-ins (platform/testenv) and wired as the app wires
// them, and records the filters of the commands they send (see Recorder).
package storetest

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/groupcommit"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	catalogstore "github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	inventorystore "github.com/shopsupergraph/shop/subgraphs/products/internal/inventory/mongostore"
)

// Stores are the catalog's and the inventory's stores over one database,
// sharing one write lane and one outbox as in the app.
type Stores struct {
	DB       *mongo.Database
	Products *catalogstore.Store
	Stock    *inventorystore.Store
}

// New returns the stores over db, whose events go to topic.
func New(db *mongo.Database, topic string) Stores {
	lane := &groupcommit.Lane{}
	ob := outbox.NewStore(db, lane)
	stock := inventorystore.New(db, topic, lane, ob)
	return Stores{DB: db, Products: catalogstore.New(db, topic, ob, stock), Stock: stock}
}

// Open returns the stores over a fresh database of the shared test
// environment, with their indexes.
func Open(t testing.TB, name string) Stores {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	st := New(db, "t")
	st.EnsureIndexes(t)
	return st
}

// Monitored is Open over a client that reports every command to the
// returned Recorder.
func Monitored(t testing.TB, name string) (Stores, *Recorder) {
	t.Helper()
	env := testenv.Get(t)
	rec := NewRecorder()
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(rec.Monitor()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	st := New(client.Database(testenv.Name(name)), "t")
	st.EnsureIndexes(t)
	return st, rec
}

// EnsureIndexes creates both stores' indexes, as the app does at start.
func (st Stores) EnsureIndexes(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if err := st.Stock.EnsureIndexes(ctx); err != nil {
		t.Fatalf("indexes: %v", err)
	}
	if err := st.Products.EnsureIndexes(ctx); err != nil {
		t.Fatalf("indexes: %v", err)
	}
}

// Services returns one replica's services over the stores: the inventory
// (its own locks and remembered heads) and a catalog whose new products
// get their stock from it.
func (st Stores) Services() (*catalog.Service, *inventory.Service) {
	inv := inventory.NewService(st.Stock, st.Products, nil)
	return catalog.NewService(st.Products, inv), inv
}

package rediscache_test

import (
	"context"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/rediscache"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// setup returns a catalog and an inventory service over cached stores
// whose MongoDB commands are counted, the cache and the counter.
func setup(t *testing.T, env *testenv.Env) (*catalog.Service, *inventory.Service, *rediscache.Cache, *atomic.Int64) {
	t.Helper()
	var finds atomic.Int64
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		finds.Add(1)
	}}
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(mon))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	name := testenv.Name("cache")
	st := storetest.New(client.Database(name), "t")
	st.EnsureIndexes(t)
	rdb := redisx.NewCache(redisx.Config{Addr: env.RedisAddr})
	t.Cleanup(func() { _ = rdb.Close() })
	cache := rediscache.New(st.Products, rdb, name+":", 0, nil)
	inv := inventory.NewService(cache.WrapStock(st.Stock), cache, nil)
	return catalog.NewService(cache, inv), inv, cache, &finds
}

func TestCachedReadsDoNotTouchMongo(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	svc, inv, _, commands := setup(t, env)
	ctx := context.Background()
	p, err := svc.Create(ctx, catalog.CreateInput{Name: "cached", Price: 10, Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	q := catalog.ListQuery{Take: 20}
	if _, err := svc.Get(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.List(ctx, q); err != nil {
		t.Fatal(err)
	}
	before := commands.Load()
	for range 5 {
		got, err := svc.Get(ctx, p.ID)
		if err != nil || got.Quantity != 5 {
			t.Fatalf("cached get = %+v, %v", got, err)
		}
		list, err := svc.List(ctx, q)
		if err != nil || len(list) != 1 || list[0].Name != "cached" {
			t.Fatalf("cached list = %+v, %v", list, err)
		}
	}
	if n := commands.Load() - before; n != 0 {
		t.Fatalf("cached reads sent %d MongoDB commands, want 0", n)
	}

	// A write invalidates at once: the next reads see the new stock.
	if _, err := inv.Restock(ctx, p.ID, 3, ""); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, p.ID)
	if err != nil || got.Quantity != 8 {
		t.Fatalf("get after restock = %+v, %v; want quantity 8", got, err)
	}
	list, err := svc.List(ctx, q)
	if err != nil || len(list) != 1 || list[0].Quantity != 8 {
		t.Fatalf("list after restock = %+v, %v; want quantity 8", list, err)
	}
}

func TestInvalidateRetiresEntries(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	svc, _, cache, commands := setup(t, env)
	ctx := context.Background()
	p, err := svc.Create(ctx, catalog.CreateInput{Name: "evented", Price: 10, Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := cache.Invalidate(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	before := commands.Load()
	if _, err := svc.Get(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if commands.Load() == before {
		t.Fatal("read after Invalidate was served from the cache")
	}
}

// Not parallel: starting a private stack while the shared one starts races
// inside ferretdb.New (a package-level write), so this runs first, alone.
func TestReadsWorkWithRedisStopped(t *testing.T) {
	env := testenv.Fresh(t)
	svc, inv, _, _ := setup(t, env)
	ctx := context.Background()
	p, err := svc.Create(ctx, catalog.CreateInput{Name: "resilient", Price: 10, Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.List(ctx, catalog.ListQuery{Take: 20}); err != nil {
		t.Fatal(err)
	}
	env.Stack.StopRedis()
	for range 3 {
		got, err := svc.Get(ctx, p.ID)
		if err != nil || got.Name != "resilient" {
			t.Fatalf("get with redis down = %+v, %v", got, err)
		}
		list, err := svc.List(ctx, catalog.ListQuery{Take: 20})
		if err != nil || len(list) != 1 {
			t.Fatalf("list with redis down = %+v, %v", list, err)
		}
	}
	// Writes succeed too, and the cache comes back consistent.
	if _, err := inv.Restock(ctx, p.ID, 2, ""); err != nil {
		t.Fatalf("restock with redis down: %v", err)
	}
	if err := env.Stack.RestartRedis(); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, p.ID)
	if err != nil || got.Quantity != 7 {
		t.Fatalf("get after redis restart = %+v, %v; want quantity 7", got, err)
	}
}

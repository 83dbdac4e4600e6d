package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// stockNames pages through the whole STOCK-sorted list (optionally
// filtered) two at a time, forward, and returns the names in order.
func (in *instance) stockNames(t *testing.T, dir string, filter map[string]any) []string {
	t.Helper()
	var names []string
	vars := map[string]any{"first": 2, "sort": map[string]any{"field": "STOCK", "direction": dir}}
	if filter != nil {
		vars["filter"] = filter
	}
	for range 20 {
		c, r := in.page(t, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("STOCK page: %+v", r.Errors)
		}
		names = append(names, c.names()...)
		if !c.PageInfo.HasNextPage {
			return names
		}
		vars["after"] = *c.PageInfo.EndCursor
	}
	t.Fatalf("STOCK paging did not end: %v", names)
	return nil
}

// The inStock filter and the STOCK sort follow reservations: a product
// sold out by a reservation leaves inStock: true and joins inStock: false
// at once, moves in the STOCK order, and returns when the reservation is
// released. STOCK pages chain across pages both ways, with the id
// breaking ties, and a cursor of another sort is refused.
func TestInStockFilterAndStockSort(t *testing.T) {
	t.Parallel()
	in := start(t, testenv.Get(t), newShared())
	scarce := in.create(t, "scarce", 100, 2)
	in.create(t, "plenty", 100, 9)
	in.create(t, "middle", 100, 5)
	in.create(t, "empty", 100, 0)
	in.create(t, "middle twin", 100, 5)

	inStock := func(v bool) []string {
		t.Helper()
		c, r := in.page(t, map[string]any{"filter": map[string]any{"inStock": v}})
		if len(r.Errors) > 0 {
			t.Fatalf("inStock %v: %+v", v, r.Errors)
		}
		if c.TotalCount != len(c.Edges) {
			t.Errorf("inStock %v: totalCount %d for %d edges", v, c.TotalCount, len(c.Edges))
		}
		return c.names()
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("inStock true", inStock(true), []string{"scarce", "plenty", "middle", "middle twin"})
	check("inStock false", inStock(false), []string{"empty"})
	check("STOCK ASC", in.stockNames(t, "ASC", nil), []string{"empty", "scarce", "middle", "middle twin", "plenty"})
	check("STOCK DESC", in.stockNames(t, "DESC", nil), []string{"plenty", "middle twin", "middle", "scarce", "empty"})

	code, res := in.reserve(t, "order-sellout", inventoryapi.Line{ProductID: scarce.ID, Quantity: 2})
	if code != 200 || res.Status != inventoryapi.StatusReserved {
		t.Fatalf("reserve: %d %+v", code, res)
	}
	check("inStock true after sell-out", inStock(true), []string{"plenty", "middle", "middle twin"})
	check("inStock false after sell-out", inStock(false), []string{"scarce", "empty"})
	check("STOCK ASC after sell-out", in.stockNames(t, "ASC", nil), []string{"scarce", "empty", "middle", "middle twin", "plenty"})
	check("STOCK DESC in stock", in.stockNames(t, "DESC", map[string]any{"inStock": true}), []string{"plenty", "middle twin", "middle"})

	if code, res := in.release(t, "order-sellout"); code != 200 || res.Status != inventoryapi.StatusReleased {
		t.Fatalf("release: %d %+v", code, res)
	}
	check("inStock true after release", inStock(true), []string{"scarce", "plenty", "middle", "middle twin"})

	// Backward paging from the end of the STOCK order.
	c, r := in.page(t, map[string]any{"last": 2, "sort": map[string]any{"field": "STOCK"}})
	if len(r.Errors) > 0 || !slices.Equal(c.names(), []string{"middle twin", "plenty"}) || !c.PageInfo.HasPreviousPage {
		t.Errorf("last 2 by STOCK = %v %+v, want [middle twin plenty] with a previous page", c.names(), r.Errors)
	}
	c, r = in.page(t, map[string]any{"last": 3, "before": *c.PageInfo.StartCursor, "sort": map[string]any{"field": "STOCK"}})
	if len(r.Errors) > 0 || !slices.Equal(c.names(), []string{"empty", "scarce", "middle"}) {
		t.Errorf("last 3 before by STOCK = %v %+v, want [empty scarce middle]", c.names(), r.Errors)
	}

	byName, _ := in.page(t, map[string]any{"first": 1, "sort": map[string]any{"field": "NAME"}})
	byStock, _ := in.page(t, map[string]any{"first": 1, "sort": map[string]any{"field": "STOCK"}})
	for _, c := range []struct {
		name string
		vars map[string]any
	}{
		{"NAME cursor on STOCK", map[string]any{"after": *byName.PageInfo.EndCursor, "sort": map[string]any{"field": "STOCK"}}},
		{"STOCK cursor on PRICE", map[string]any{"before": *byStock.PageInfo.EndCursor, "sort": map[string]any{"field": "PRICE"}}},
	} {
		_, r := in.page(t, c.vars)
		if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "another sort") {
			t.Errorf("%s: %+v, want BAD_USER_INPUT about another sort", c.name, r.Errors)
		}
	}
}

// A product's figure counts every variant, and products stored before the
// figure existed are given one when an instance starts.
func TestInStockCountsVariantsAndBackfills(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := start(t, env, sh)
	p := in.create(t, "shell only", 100, 0)
	r := in.gql(t, `mutation($in: ProductVariantCreateInput!){ productVariantCreate(input: $in){ errors { code field } } }`,
		map[string]any{"in": map[string]any{"productId": p.ID, "sku": "SHELL-L", "name": "Large", "price": 150, "quantity": 4}}, admin()...)
	if len(r.Errors) > 0 || strings.Contains(string(r.Data["productVariantCreate"]), "code") {
		t.Fatalf("create variant: %s %+v", r.Data["productVariantCreate"], r.Errors)
	}
	c, _ := in.page(t, map[string]any{"filter": map[string]any{"inStock": true}})
	if !slices.Equal(c.names(), []string{"shell only"}) {
		t.Errorf("inStock true with a stocked variant = %v, want [shell only]", c.names())
	}

	// A product document as stored before the figure existed.
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, sh.db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	if _, err := db.Collection("products").UpdateOne(ctx, bson.D{{Key: "_id", Value: mustOID(t, p.ID)}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "available", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := in.page(t, map[string]any{"filter": map[string]any{"inStock": true}}); len(c.Edges) != 0 {
		t.Fatalf("a product without the figure should match no inStock filter before the backfill: %v", c.names())
	}
	again := start(t, env, sh)
	c, _ = again.page(t, map[string]any{"filter": map[string]any{"inStock": true}})
	if !slices.Equal(c.names(), []string{"shell only"}) {
		t.Errorf("inStock true after the start-up backfill = %v, want [shell only]", c.names())
	}
}

func mustOID(t *testing.T, id string) primitive.ObjectID {
	t.Helper()
	o, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// A figure left behind (its refresh lost with its process, the stock left
// on the dirty list) is put right by the snapshot repair sweep.
func TestSnapshotRepairConvergesTheAvailableFigure(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := startWith(t, env, sh, map[string]string{"SNAPSHOT_REPAIR_INTERVAL": "200ms"})
	p := in.create(t, "lagging", 100, 3)

	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, sh.db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	if _, err := db.Collection("products").UpdateOne(ctx, bson.D{{Key: "_id", Value: mustOID(t, p.ID)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "available", Value: 0}}}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := in.page(t, map[string]any{"filter": map[string]any{"inStock": false}}); !slices.Equal(c.names(), []string{"lagging"}) {
		t.Fatalf("the stale figure should list the product as sold out until repaired: %v", c.names())
	}
	if _, err := db.Collection("stock_dirty").InsertOne(ctx, bson.D{{Key: "_id", Value: p.ID}, {Key: "since", Value: time.Now().Add(-time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the repair sweep to restore the figure", func() bool {
		c, _ := in.page(t, map[string]any{"filter": map[string]any{"inStock": true}})
		return slices.Equal(c.names(), []string{"lagging"})
	})
}

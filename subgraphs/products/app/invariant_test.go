package app_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// checkInvariant asserts, for every product of the database, that initial
// stock + restocks == current quantity + units held by carts + units in
// live reservations (reserved and not released), counting reservations
// from their own records rather than from the ledger, that no hold keeps
// a negative number of units, and that the stock document's quantity is
// the ledger head's balance.
func checkInvariant(t *testing.T, env *testenv.Env, sh shared) {
	t.Helper()
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, sh.db)
	if err != nil {
		t.Fatalf("invariant: %v", err)
	}
	defer client.Disconnect(ctx)

	var products []struct {
		ID primitive.ObjectID `bson:"_id"`
	}
	cur, err := db.Collection("products").Find(ctx, bson.D{})
	if err != nil || cur.All(ctx, &products) != nil {
		t.Fatalf("invariant: read products: %v", err)
	}
	var stocks []struct {
		ProductID string `bson:"_id"`
		Quantity  int    `bson:"quantity"`
	}
	cur, err = db.Collection("stock").Find(ctx, bson.D{})
	if err != nil || cur.All(ctx, &stocks) != nil {
		t.Fatalf("invariant: read stock: %v", err)
	}
	quantity := map[string]int{}
	for _, s := range stocks {
		quantity[s.ProductID] = s.Quantity
	}
	var ledger []struct {
		ProductID string `bson:"productId"`
		Version   int64  `bson:"version"`
		Kind      string `bson:"kind"`
		Delta     int    `bson:"delta"`
		Balance   int    `bson:"balance"`
		HoldID    string `bson:"holdId"`
		Converted int    `bson:"converted"`
	}
	cur, err = db.Collection("inventory_ledger").Find(ctx, bson.D{})
	if err != nil || cur.All(ctx, &ledger) != nil {
		t.Fatalf("invariant: read ledger: %v", err)
	}
	var reservations []struct {
		Status   string `bson:"status"`
		Released bool   `bson:"released"`
		Lines    []struct {
			ProductID string `bson:"productId"`
			Quantity  int    `bson:"quantity"`
		} `bson:"lines"`
	}
	cur, err = db.Collection("reservations").Find(ctx, bson.D{})
	if err != nil || cur.All(ctx, &reservations) != nil {
		t.Fatalf("invariant: read reservations: %v", err)
	}

	supplied := map[string]int{}
	head := map[string]int64{}
	headBalance := map[string]int{}
	for _, m := range ledger {
		if m.Kind == "create" || m.Kind == "restock" {
			supplied[m.ProductID] += m.Delta
		}
		if m.Version > head[m.ProductID] {
			head[m.ProductID], headBalance[m.ProductID] = m.Version, m.Balance
		}
	}
	carts := map[string]int{}
	perHold := map[[2]string]int{}
	for _, m := range ledger {
		units := 0
		switch m.Kind {
		case "hold", "hold_release":
			units = -m.Delta
		case "reserve":
			units = -m.Converted
		}
		if m.HoldID != "" {
			carts[m.ProductID] += units
			perHold[[2]string{m.HoldID, m.ProductID}] += units
		}
	}
	for k, n := range perHold {
		if n < 0 {
			t.Errorf("hold %s keeps %d units of %s", k[0], n, k[1])
		}
	}
	held := map[string]int{}
	for _, r := range reservations {
		if r.Status == "RESERVED" && !r.Released {
			for _, l := range r.Lines {
				held[l.ProductID] += l.Quantity
			}
		}
	}
	// Every variant has its own stock under its own id; a product's own
	// id is its default variant's.
	var variants []struct {
		ID primitive.ObjectID `bson:"_id"`
	}
	cur, err = db.Collection("product_variants").Find(ctx, bson.D{})
	if err != nil || cur.All(ctx, &variants) != nil {
		t.Fatalf("invariant: read variants: %v", err)
	}
	units := make([]string, 0, len(products)+len(variants))
	for _, p := range products {
		units = append(units, p.ID.Hex())
	}
	for _, v := range variants {
		units = append(units, v.ID.Hex())
	}
	for _, id := range units {
		q := quantity[id]
		if supplied[id] != q+carts[id]+held[id] {
			t.Errorf("invariant broken for %s: initial+restocks=%d, quantity=%d, in carts=%d, in orders=%d", id, supplied[id], q, carts[id], held[id])
		}
		if headBalance[id] != q {
			t.Errorf("snapshot of %s is %d, ledger head (v%d) says %d", id, q, head[id], headBalance[id])
		}
	}
}

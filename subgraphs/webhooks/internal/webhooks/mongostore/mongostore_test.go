package mongostore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks/mongostore"
)

// TestNewestFirstPerProduct runs against the embedded FerretDB (or the
// real servers of `make test-real`).
func TestNewestFirstPerProduct(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("webhooksstore"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Drop(context.Background())           //nolint:errcheck // best-effort cleanup
		_ = client.Disconnect(context.Background()) //nolint:errcheck // best-effort cleanup
	})
	store, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		r := webhooks.Webhook{ID: fmt.Sprintf("r%d", i), ProductID: "p1", UserID: "u1", Rating: i + 1, Body: "b", CreatedAt: start.Add(time.Duration(i) * time.Minute)}
		if err := store.Insert(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.ByProducts(ctx, []string{"p1", "p2"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got["p1"]) != 2 || got["p1"][0].ID != "r2" || got["p1"][1].ID != "r1" || !got["p1"][0].CreatedAt.Equal(start.Add(2*time.Minute)) {
		t.Fatalf("p1 = %+v, want r2, r1", got["p1"])
	}
	if l, ok := got["p2"]; !ok || len(l) != 0 {
		t.Fatalf("p2 = %+v, %v; want an empty list", l, ok)
	}
}

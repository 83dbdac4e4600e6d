package mongostore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	catalogstore "github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// Product edits and stock movements write different documents: an
// updateProduct racing a crowd of reservations is never lost, and a
// delete racing releases is never undone.
func TestStockMovementsNeverClobberProductEdits(t *testing.T) {
	t.Parallel()
	// Three replicas: two serve the buyers, one the admin.
	st := storetest.Open(t, "clobber")
	_, a := st.Services()
	_, b := st.Services()
	admin, _ := st.Services()
	ctx := context.Background()
	// Products stored before this one make every read that is not
	// pushed down to the embedded store slower, and its read-then-write
	// updates read the document as it was when the scan began: the
	// window in which another write can be lost is then as wide as in a
	// real catalog.
	filler := make([]any, 1000)
	for i := range filler {
		filler[i] = bson.D{{Key: "_id", Value: primitive.NewObjectID()}, {Key: "name", Value: fmt.Sprintf("filler %d", i)}, {Key: "price", Value: 1}}
	}
	if _, err := st.DB.Collection(catalogstore.ProductsColl).InsertMany(ctx, filler); err != nil {
		t.Fatal(err)
	}
	p, err := admin.Create(ctx, catalog.CreateInput{Name: "contended", Price: 100, Quantity: 10000})
	if err != nil {
		t.Fatal(err)
	}
	// An admin (on a replica of its own) edits the product while the
	// reservations run; after each edit a few more reservations (each
	// with its stock write) land, and the edit must still be there.
	const orders = 300
	var wg sync.WaitGroup
	var reserved atomic.Int32
	// As many buyers at once as a busy shop's replicas serve.
	buyers := make(chan struct{}, 32)
	for i := range orders {
		svc := a
		if i%2 == 1 {
			svc = b
		}
		wg.Go(func() {
			buyers <- struct{}{}
			defer func() { <-buyers }()
			if _, err := svc.Reserve(ctx, fmt.Sprintf("clobber-%d", i), []inventory.Line{{ProductID: p.ID, Quantity: 1}}); err != nil {
				t.Errorf("reserve: %v", err)
			}
			reserved.Add(1)
		})
	}
	name, price := "contended", 100
	for edit := 1; reserved.Load() < orders; edit++ {
		name, price = fmt.Sprintf("edit %d", edit), 100+edit
		if _, err := admin.Update(ctx, p.ID, catalog.UpdateInput{Name: &name, Price: &price}); err != nil {
			t.Fatalf("update: %v", err)
		}
		for seen := reserved.Load(); reserved.Load() < min(seen+20, orders); {
			time.Sleep(time.Millisecond)
		}
		got, err := admin.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Price != price {
			t.Fatalf("edit %d lost: the product is %q at %d, want %q at %d", edit, got.Name, got.Price, name, price)
		}
	}
	wg.Wait()
	got, err := admin.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || got.Price != price || got.Quantity != 10000-orders {
		t.Fatalf("after the race the product is %q at %d with %d units; want %q at %d with %d", got.Name, got.Price, got.Quantity, name, price, 10000-orders)
	}

	// Releases racing a delete: the product stays deleted.
	for i := range orders {
		svc := a
		if i%2 == 1 {
			svc = b
		}
		wg.Go(func() {
			buyers <- struct{}{}
			defer func() { <-buyers }()
			if _, err := svc.Release(ctx, fmt.Sprintf("clobber-%d", i)); err != nil {
				t.Errorf("release: %v", err)
			}
		})
	}
	wg.Go(func() {
		if _, err := admin.Delete(ctx, p.ID); err != nil {
			t.Errorf("delete: %v", err)
		}
	})
	wg.Wait()
	got, err = admin.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deleted() {
		t.Fatal("a stock movement undid the delete")
	}
	if got.Quantity != 10000 || got.Name != name {
		t.Fatalf("after releases: %q quantity %d; want every unit back and the last edit", got.Name, got.Quantity)
	}
}

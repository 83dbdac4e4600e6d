package mongostore_test

import (
	"context"
	"testing"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// Entity resolution hands every representation of one _entities call to
// ByIDs: it reads each product and its stock by _id (a filter on several
// ids would make the embedded store decode the whole collection).
func TestByIDsReadsByID(t *testing.T) {
	t.Parallel()
	st, rec := storetest.Monitored(t, "byids")
	ctx := context.Background()
	svc, _ := st.Services()
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
	stop := rec.Record()
	got, err := svc.ByIDs(ctx, append(ids, "64b7f0c2a1b2c3d4e5f60718", "not-an-id"))
	offense, counts := stop()
	if err != nil {
		t.Fatal(err)
	}
	storetest.AssertPointOps(t, "ByIDs", offense)
	// The unknown id has no product, so no variant slot is probed for it.
	if counts["find"] != 17 {
		t.Fatalf("ByIDs sent %d finds, want 17 (a product, its stock and its first variant slot per valid id)", counts["find"])
	}
	if len(got) != 5 || !got[ids[0]].Deleted() || got[ids[4]].Quantity != 4 {
		t.Fatalf("ByIDs = %d products (deleted one: %+v), want all 5 including the deleted", len(got), got[ids[0]])
	}
}

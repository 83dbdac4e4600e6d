package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// inventoryHealth reports, to admins only, the reservation attempts not
// yet settled (with the age of the oldest) and the stock documents known
// to lag the ledger, from the small work lists the reconciler and the
// snapshot repair read.
func TestInventoryHealthReportsTheWorkLists(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	// No repair or reconcile pass during the test.
	in := startWith(t, env, sh, map[string]string{"SNAPSHOT_REPAIR_INTERVAL": "1h", "RECONCILE_AFTER": "2h"})
	p := in.create(t, "watched", 100, 10)

	const query = `{ inventoryHealth { undecidedReservations dirtySnapshots oldestUndecidedAgeSeconds } }`
	type health struct {
		Undecided int  `json:"undecidedReservations"`
		Dirty     int  `json:"dirtySnapshots"`
		Oldest    *int `json:"oldestUndecidedAgeSeconds"`
	}
	read := func() health {
		t.Helper()
		r := in.gql(t, query, nil, admin()...)
		var h health
		if len(r.Errors) > 0 || json.Unmarshal(r.Data["inventoryHealth"], &h) != nil {
			t.Fatalf("inventoryHealth: %s %+v", r.Data["inventoryHealth"], r.Errors)
		}
		return h
	}
	if h := read(); h.Undecided != 0 || h.Dirty != 0 || h.Oldest != nil {
		t.Fatalf("health after a clean creation = %+v, want nothing pending", h)
	}
	if r := in.gql(t, query, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("without a key: %q %+v, want UNAUTHENTICATED", r.code(), r.Errors)
	}
	if r := in.gql(t, query, nil, "x-api-key", "wrong"); r.code() != "FORBIDDEN" {
		t.Fatalf("with a wrong key: %q %+v, want FORBIDDEN", r.code(), r.Errors)
	}

	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, sh.db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	store := storetest.New(db, in.cfg.Topic(events.TopicProducts)).Stock
	// A runner that died 90 s ago after listing its attempt, and a
	// snapshot job that never ran.
	a := inventory.Attempt{OrderID: "o-stuck", N: 1, Products: []string{p.ID}, CreatedAt: time.Now().Add(-90 * time.Second)}
	if err := store.InsertAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := store.InsertPending(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkDirty(ctx, p.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if h := read(); h.Undecided != 1 || h.Dirty != 1 || h.Oldest == nil || *h.Oldest < 90 || *h.Oldest > 120 {
		t.Fatalf("health = %+v, want 1 undecided about 90 s old and 1 dirty snapshot", h)
	}
}

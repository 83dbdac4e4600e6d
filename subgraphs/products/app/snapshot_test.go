package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// A replica that crashed between a ledger append and its snapshot leaves
// the stock document behind the ledger. No further movement of the product
// comes, yet every replica brings the served quantity to the ledger head
// within seconds: the entry's StockChanged event is newer than the stock
// document it finds.
func TestQuantityConvergesAfterACrashedSnapshot(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "crashed snapshot", 100, 10)

	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, sh.db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	store := storetest.New(db, a.cfg.Topic(events.TopicProducts)).Stock
	// What the crashed replica wrote: a restock entry (with its event),
	// and no snapshot.
	entry := inventory.Movement{ProductID: p.ID, Version: 2, Kind: inventory.KindRestock, Delta: 5, Balance: 15, OpKey: "crashed", CreatedAt: time.Now().UTC()}
	if err := store.AppendMovement(ctx, entry); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]*instance{"a": a, "b": b} {
		eventually(t, "quantity 15 on "+name, func() bool { return in.quantity(t, p.ID) == 15 })
	}
	checkInvariant(t, env, sh)
}

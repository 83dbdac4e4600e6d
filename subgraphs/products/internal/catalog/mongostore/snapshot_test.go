package mongostore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// failingSnapshots is a store whose snapshot writes all fail, as on a
// replica whose snapshot jobs time out.
type failingSnapshots struct{ catalog.Storer }

func (failingSnapshots) SetStock(context.Context, catalog.Stock) (bool, error) {
	return false, errors.New("snapshot write timed out")
}

// A movement whose snapshot job failed leaves the stock document behind the
// ledger, and no further movement of the product comes. A fresh service's
// repair sweep (every replica runs one) finds the product on the dirty
// list and brings the served quantity to the ledger head, with point
// operations apart from the read of the dirty list; the list is empty
// afterwards.
func TestRepairSweepCatchesUpAFailedSnapshot(t *testing.T) {
	t.Parallel()
	store, rec := monitoredStore(t, "repair")
	ctx := context.Background()
	p, err := catalog.NewService(store, nil).Create(ctx, catalog.CreateInput{Name: "lagging", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	broken := catalog.NewService(failingSnapshots{store}, nil)
	if _, err := broken.Restock(ctx, p.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	if r, err := broken.Reserve(ctx, "o-lag", []catalog.Line{{ProductID: p.ID, Quantity: 3}}); err != nil || r.Status != catalog.StatusReserved {
		t.Fatalf("reserve = %+v (%v)", r, err)
	}
	fresh := catalog.NewService(store, nil)
	if got, err := fresh.Get(ctx, p.ID); err != nil || got.Quantity != 10 {
		t.Fatalf("quantity before the repair = %d (%v), want the stale 10", got.Quantity, err)
	}
	stop := rec.record()
	n, err := fresh.RepairSnapshots(ctx, 0)
	offense, _ := stop()
	if err != nil || n != 1 {
		t.Fatalf("repair = %d (%v), want 1 product", n, err)
	}
	assertPointOps(t, "repair", slices.DeleteFunc(offense, func(o string) bool { return strings.Contains(o, " on stock_dirty: ") }))
	if got, err := fresh.Get(ctx, p.ID); err != nil || got.Quantity != 12 || got.StockVersion != 3 {
		t.Fatalf("quantity after the repair = %d v%d (%v), want 12 v3", got.Quantity, got.StockVersion, err)
	}
	if dirty, err := store.DirtyStock(ctx); err != nil || len(dirty) != 0 {
		t.Fatalf("dirty list after the repair = %+v (%v), want empty", dirty, err)
	}
}

// A replica that reads a StockChanged event newer than the stock document
// repairs the snapshot (an entry old enough that its own job should have
// landed), and does nothing for an event the snapshot already shows.
func TestSyncStockRepairsALaggingSnapshot(t *testing.T) {
	t.Parallel()
	store, _ := monitoredStore(t, "syncstock")
	ctx := context.Background()
	p, err := catalog.NewService(store, nil).Create(ctx, catalog.CreateInput{Name: "synced", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.NewService(failingSnapshots{store}, nil).Restock(ctx, p.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	fresh := catalog.NewService(store, nil)
	fresh.SetSyncGrace(0)
	ms, err := fresh.Movements(ctx, p.ID, 0, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("head = %+v (%v)", ms, err)
	}
	if err := fresh.SyncStock(ctx, p.ID, ms[0].Version, ms[0].CreatedAt); err != nil {
		t.Fatal(err)
	}
	if got, err := fresh.Get(ctx, p.ID); err != nil || got.Quantity != 15 {
		t.Fatalf("quantity after the sync = %d (%v), want 15", got.Quantity, err)
	}
}

package mongostore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// failingSnapshots is a store whose snapshot writes all fail, as on a
// replica whose snapshot jobs time out.
type failingSnapshots struct{ inventory.Storer }

func (failingSnapshots) SetStock(context.Context, inventory.Stock) (bool, error) {
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
	st, rec := storetest.Monitored(t, "repair")
	ctx := context.Background()
	products, _ := st.Services()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "lagging", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	broken := inventory.NewService(failingSnapshots{st.Stock}, st.Products, nil)
	if _, err := broken.Restock(ctx, p.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	if r, err := broken.Reserve(ctx, "o-lag", []inventory.Line{{ProductID: p.ID, Quantity: 3}}); err != nil || r.Status != inventory.StatusReserved {
		t.Fatalf("reserve = %+v (%v)", r, err)
	}
	_, fresh := st.Services()
	if got, err := products.Get(ctx, p.ID); err != nil || got.Quantity != 10 {
		t.Fatalf("quantity before the repair = %d (%v), want the stale 10", got.Quantity, err)
	}
	stop := rec.Record()
	n, err := fresh.RepairSnapshots(ctx, 0)
	offense, _ := stop()
	if err != nil || n != 1 {
		t.Fatalf("repair = %d (%v), want 1 product", n, err)
	}
	storetest.AssertPointOps(t, "repair", slices.DeleteFunc(offense, func(o string) bool { return strings.Contains(o, " on stock_dirty: ") }))
	if got, err := products.Get(ctx, p.ID); err != nil || got.Quantity != 12 || got.StockVersion != 3 {
		t.Fatalf("quantity after the repair = %d v%d (%v), want 12 v3", got.Quantity, got.StockVersion, err)
	}
	if dirty, err := st.Stock.DirtyStock(ctx); err != nil || len(dirty) != 0 {
		t.Fatalf("dirty list after the repair = %+v (%v), want empty", dirty, err)
	}
}

// A replica that reads a StockChanged event newer than the stock document
// repairs the snapshot (an entry old enough that its own job should have
// landed), and does nothing for an event the snapshot already shows.
func TestSyncStockRepairsALaggingSnapshot(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "syncstock")
	ctx := context.Background()
	products, _ := st.Services()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "synced", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.NewService(failingSnapshots{st.Stock}, st.Products, nil).Restock(ctx, p.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	_, fresh := st.Services()
	fresh.SetSyncGrace(0)
	ms, err := fresh.Movements(ctx, p.ID, 0, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("head = %+v (%v)", ms, err)
	}
	if err := fresh.SyncStock(ctx, p.ID, ms[0].Version, ms[0].CreatedAt); err != nil {
		t.Fatal(err)
	}
	if got, err := products.Get(ctx, p.ID); err != nil || got.Quantity != 15 {
		t.Fatalf("quantity after the sync = %d (%v), want 15", got.Quantity, err)
	}
}

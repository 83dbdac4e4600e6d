package mongostore_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// Every database call of the order paths (reserve, retry, rejection,
// release, restock, cart holds, checkout, cancel, hold expiry) is a point
// operation by _id or an insert, on two replicas sharing the database, so
// that its cost does not grow with the size of any collection. The one
// query allowed is the hold sweeper's, over the lease collection (which
// keeps only leases not yet dealt with), and the snapshot repair's whole
// read of the dirty list (which keeps only products whose snapshot was not
// checked since their last append) and the reconciler's whole read of the
// undecided list (which keeps only attempts not yet settled: none, once
// every runner finished).
func TestOrderPathsUsePointOperations(t *testing.T) {
	t.Parallel()
	st, rec := storetest.Monitored(t, "pointops")
	ctx := context.Background()
	products, a := st.Services()
	_, b := st.Services()
	a.SetHoldTTL(time.Hour)
	b.SetHoldTTL(50 * time.Millisecond)
	stop := rec.Record()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "pointed", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	q, err := products.Create(ctx, catalog.CreateInput{Name: "scarce", Price: 7, Quantity: 2})
	if err != nil {
		t.Fatal(err)
	}
	offense, _ := stop()
	storetest.AssertPointOps(t, "create", offense)

	steps := []struct {
		name string
		run  func() error
		// sweeps names the one collection the step may query.
		sweeps string
	}{
		{name: "reserve two lines", run: func() error {
			r, err := a.Reserve(ctx, "o-1", []inventory.Line{{ProductID: p.ID, Quantity: 2}, {ProductID: q.ID, Quantity: 1}})
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "retry on another replica", run: func() error {
			r, err := b.Reserve(ctx, "o-1", []inventory.Line{{ProductID: p.ID, Quantity: 2}, {ProductID: q.ID, Quantity: 1}})
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "reserve one line", run: func() error {
			r, err := a.Reserve(ctx, "o-5", []inventory.Line{{ProductID: p.ID, Quantity: 1}})
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "cancel one line", run: func() error {
			r, err := a.Release(ctx, "o-5")
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "rejected order", run: func() error {
			r, err := b.Reserve(ctx, "o-2", []inventory.Line{{ProductID: p.ID, Quantity: 1}, {ProductID: q.ID, Quantity: 5}})
			return want(r, err, inventory.StatusRejected)
		}},
		{name: "release of the rejected order", run: func() error {
			r, err := a.Release(ctx, "o-2")
			return want(r, err, inventory.StatusRejected)
		}},
		{name: "restock", run: func() error {
			_, err := b.Restock(ctx, q.ID, 3, "")
			return err
		}},
		{name: "cart hold", run: func() error {
			h, err := a.SetHold(ctx, "cart-1", []inventory.Line{{ProductID: p.ID, Quantity: 3}, {ProductID: q.ID, Quantity: 1}})
			if err == nil && len(h.Problems) > 0 {
				err = fmt.Errorf("problems %+v", h.Problems)
			}
			return err
		}},
		{name: "cart shrinks on another replica", run: func() error {
			_, err := b.SetHold(ctx, "cart-1", []inventory.Line{{ProductID: p.ID, Quantity: 2}})
			return err
		}},
		{name: "checkout", run: func() error {
			r, err := b.ReserveHeld(ctx, "o-3", "cart-1", []inventory.Line{{ProductID: p.ID, Quantity: 3}, {ProductID: q.ID, Quantity: 1}})
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "checkout retried", run: func() error {
			r, err := a.ReserveHeld(ctx, "o-3", "cart-1", []inventory.Line{{ProductID: p.ID, Quantity: 3}, {ProductID: q.ID, Quantity: 1}})
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "cancel", run: func() error {
			r, err := a.Release(ctx, "o-1")
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "cancel again on another replica", run: func() error {
			r, err := b.Release(ctx, "o-1")
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "cancel of the checkout", run: func() error {
			r, err := b.Release(ctx, "o-3")
			return want(r, err, inventory.StatusReserved)
		}},
		{name: "release of an unknown order", run: func() error {
			r, err := a.Release(ctx, "o-4")
			return want(r, err, inventory.StatusReleased)
		}},
		{name: "hold that expires", run: func() error {
			_, err := b.SetHold(ctx, "cart-2", []inventory.Line{{ProductID: q.ID, Quantity: 2}})
			return err
		}},
		{name: "sweep", sweeps: "hold_leases", run: func() error {
			time.Sleep(100 * time.Millisecond)
			n, err := a.SweepHolds(ctx, 100)
			if err == nil && n != 2 {
				err = fmt.Errorf("swept %d units, want 2", n)
			}
			return err
		}},
		{name: "snapshot repair", sweeps: "stock_dirty", run: func() error {
			_, err := b.RepairSnapshots(ctx, 0)
			return err
		}},
		{name: "reconcile", sweeps: "reservation_pending", run: func() error {
			_, c := st.Services()
			c.SetReservationBounds(time.Millisecond, 2*time.Millisecond)
			n, err := c.ReconcileReservations(ctx)
			if err == nil && n != 0 {
				err = fmt.Errorf("reconciled %d attempts, want none left undecided", n)
			}
			return err
		}},
		{name: "product and ledger page", run: func() error {
			if _, err := products.Get(ctx, p.ID); err != nil {
				return err
			}
			_, err := a.Movements(ctx, p.ID, 0, 5)
			return err
		}},
	}
	for _, s := range steps {
		stop := rec.Record()
		err := s.run()
		offense, counts := stop()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.sweeps != "" {
			offense = slices.DeleteFunc(offense, func(o string) bool { return strings.Contains(o, " on "+s.sweeps+": ") })
		}
		storetest.AssertPointOps(t, s.name, offense)
		t.Logf("%-32s %v", s.name, describe(counts))
	}
	for _, c := range []struct {
		id    string
		stock int
	}{{p.ID, 10}, {q.ID, 5}} {
		got, err := products.Get(ctx, c.id)
		if err != nil || got.Quantity != c.stock {
			t.Fatalf("product %s: quantity %d (%v), want %d (every unit back)", c.id, got.Quantity, err, c.stock)
		}
	}
}

func want(r inventory.Reservation, err error, status string) error {
	if err == nil && r.Status != status {
		err = fmt.Errorf("status %s, want %s (%+v)", r.Status, status, r)
	}
	return err
}

func describe(counts map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return strings.Join(parts, " ")
}

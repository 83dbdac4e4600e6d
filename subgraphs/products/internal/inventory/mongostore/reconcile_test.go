package mongostore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// lateAppends delays reserve entries past their caller's deadline the way
// a store under load does: the caller gets its context's error, while the
// insert still lands a moment later.
type lateAppends struct {
	inventory.Storer
	delay  time.Duration
	landed *atomic.Int32
}

func (s lateAppends) AppendMovement(ctx context.Context, m inventory.Movement) error {
	if m.Kind != inventory.KindReserve {
		return s.Storer.AppendMovement(ctx, m)
	}
	done := make(chan error, 1)
	go func() {
		time.Sleep(s.delay)
		err := s.Storer.AppendMovement(context.WithoutCancel(ctx), m)
		if err == nil {
			s.landed.Add(1)
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A reservation whose ledger inserts land after the client gave up: the
// runner (detached from the client, with its own short bound) times out
// with no decision, orders calls release (which cannot see entries not yet
// landed), and the entries land afterwards. The reconciler settles the
// attempt once it is older than its bound and gives back every unit,
// including the late ones: initial stock == quantity + units in live
// reservations, and the attempt leaves the undecided list.
func TestReconcilerGivesBackLateReserveEntries(t *testing.T) {
	t.Parallel()
	st, rec := storetest.Monitored(t, "latereserve")
	ctx := context.Background()
	products, setup := st.Services()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "late", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	q, err := products.Create(ctx, catalog.CreateInput{Name: "later", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	// The runner's bound (run) must leave it time to reach its first
	// append even on a loaded server (make test-real runs the suites side
	// by side on PostgreSQL), and the delay must outlast that bound, so
	// the entry lands after the runner gave up.
	const run, delay, reconcileAfter = 800 * time.Millisecond, 1500 * time.Millisecond, 1600 * time.Millisecond
	var landed atomic.Int32
	slow := inventory.NewService(lateAppends{Storer: st.Stock, delay: delay, landed: &landed}, st.Products, nil)
	slow.SetReservationBounds(run, reconcileAfter)

	client, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = slow.Reserve(client, "o-late", []inventory.Line{{ProductID: p.ID, Quantity: 3}, {ProductID: q.ID, Quantity: 2}})
	if err == nil {
		t.Fatal("reserve succeeded, want a timeout")
	}
	// Orders gives up: it records REJECTED and releases.
	if r, err := setup.Release(ctx, "o-late"); err != nil || r.EffectiveStatus() != inventory.StatusReleased {
		t.Fatalf("release = %+v (%v)", r, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for landed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if landed.Load() == 0 {
		t.Fatal("no late reserve entry landed; the fault did not happen")
	}
	time.Sleep(reconcileAfter - delay + 300*time.Millisecond)
	stop := rec.Record()
	_, reconciler := st.Services()
	reconciler.SetReservationBounds(run, reconcileAfter)
	n, err := reconciler.ReconcileReservations(ctx)
	offense, _ := stop()
	if err != nil || n != 1 {
		t.Fatalf("reconcile = %d (%v), want 1 attempt", n, err)
	}
	// Its queries: the undecided list, and the operation index for an
	// entry whose record its runner never wrote (it had given up).
	offense = slices.DeleteFunc(offense, func(o string) bool {
		return strings.Contains(o, " on reservation_pending: ") || strings.Contains(o, `"opId"`)
	})
	storetest.AssertPointOps(t, "reconcile", offense)
	for _, id := range []string{p.ID, q.ID} {
		if got := headBalance(t, reconciler, id); got != 10 {
			t.Fatalf("product %s: ledger balance %d, want 10 (every unit back)", id, got)
		}
	}
	if r, err := reconciler.GetReservation(ctx, "o-late"); err != nil || r.EffectiveStatus() != inventory.StatusReleased {
		t.Fatalf("decision = %+v (%v), want released", r, err)
	}
	if pending, err := st.Stock.PendingAttempts(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("undecided attempts = %+v (%v), want none", pending, err)
	}
	// A second pass finds nothing, and a retry of the order reserves nothing.
	if n, err := reconciler.ReconcileReservations(ctx); err != nil || n != 0 {
		t.Fatalf("second reconcile = %d (%v)", n, err)
	}
	if r, err := reconciler.Reserve(ctx, "o-late", []inventory.Line{{ProductID: p.ID, Quantity: 3}}); err != nil || r.EffectiveStatus() != inventory.StatusReleased {
		t.Fatalf("retry = %+v (%v)", r, err)
	}
	if got := headBalance(t, reconciler, p.ID); got != 10 {
		t.Fatalf("ledger balance after the retry = %d, want 10", got)
	}
}

// headBalance returns the balance of a product's ledger head, read past
// the stock document (which a late entry does not update).
func headBalance(t *testing.T, svc *inventory.Service, productID string) int {
	t.Helper()
	ms, err := svc.Movements(context.Background(), productID, 0, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("ledger head of %s: %+v (%v)", productID, ms, err)
	}
	return ms[0].Balance
}

// blockingAppends holds the reserve entry of one product until released.
type blockingAppends struct {
	inventory.Storer
	product string
	reached chan struct{}
	release chan struct{}
}

func (s blockingAppends) AppendMovement(ctx context.Context, m inventory.Movement) error {
	if m.Kind == inventory.KindReserve && m.ProductID == s.product {
		close(s.reached)
		select {
		case <-s.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Storer.AppendMovement(ctx, m)
}

// A release that arrives while a runner is between two lines of an order
// ends with every unit back: the runner's later lines see the decision.
func TestReleaseDuringAReservationGivesEverythingBack(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "midrelease")
	ctx := context.Background()
	products, setup := st.Services()
	p, err := products.Create(ctx, catalog.CreateInput{Name: "first", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	q, err := products.Create(ctx, catalog.CreateInput{Name: "second", Price: 10, Quantity: 10})
	if err != nil {
		t.Fatal(err)
	}
	block := blockingAppends{Storer: st.Stock, product: q.ID, reached: make(chan struct{}), release: make(chan struct{})}
	runner := inventory.NewService(block, st.Products, nil)
	done := make(chan error, 1)
	go func() {
		_, err := runner.Reserve(ctx, "o-mid", []inventory.Line{{ProductID: p.ID, Quantity: 3}, {ProductID: q.ID, Quantity: 2}})
		done <- err
	}()
	<-block.reached
	if _, err := setup.Release(ctx, "o-mid"); err != nil {
		t.Fatal(err)
	}
	close(block.release)
	if err := <-done; err != nil && !errors.Is(err, inventory.ErrNotFound) {
		t.Fatalf("reserve: %v", err)
	}
	for _, id := range []string{p.ID, q.ID} {
		if got, err := products.Get(ctx, id); err != nil || got.Quantity != 10 || headBalance(t, setup, id) != 10 {
			t.Fatalf("product %s quantity = %d (%v), want 10", id, got.Quantity, err)
		}
	}
	if pending, err := st.Stock.PendingAttempts(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("undecided attempts = %+v (%v), want none", pending, err)
	}
}

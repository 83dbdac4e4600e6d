package ordering_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

// pending inserts a PENDING order the way Place does before calling products.
func (f *fixture) pending(t *testing.T, productID string, qty int) ordering.Order {
	t.Helper()
	o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: alice.UserID, Lines: []ordering.Line{{ProductID: productID, Quantity: qty}}, Status: ordering.StatusPending, CreatedAt: time.Now().UTC()}
	if err := f.store.Create(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestPlaceWhenProductsDown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)

	f.down.Store(true)
	if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 2})); !errors.Is(err, ordering.ErrUnavailable) {
		t.Fatalf("place while down: %v", err)
	}
	list, _ := f.svc.List(ctx, alice)
	if len(list) != 1 || list[0].Status != ordering.StatusRejected {
		t.Fatalf("orders %+v, want one REJECTED", list)
	}
	tr, err := f.store.Transition(ctx, list[0].ID, ordering.StepResolve)
	if err != nil || !tr.NeedsRelease || tr.Released {
		t.Fatalf("release should be owed: %+v %v", tr, err)
	}
	// Recovery cannot release while products is down, and says so.
	if rep, err := f.svc.Recover(ctx); err == nil || rep.Failed != 1 {
		t.Fatalf("recover while down: %+v %v", rep, err)
	}
	f.down.Store(false)
	if rep, err := f.svc.Recover(ctx); err != nil || rep.Released != 1 {
		t.Fatalf("recover: %+v %v", rep, err)
	}
	if f.inv.Stock(choc) != 10 {
		t.Fatalf("stock %d", f.inv.Stock(choc))
	}

	// The reservation lands but its answer is lost every time: the order is
	// rejected and the stock released at once, nothing stays held.
	f.loseReserve.Store(true)
	if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 3})); !errors.Is(err, ordering.ErrUnavailable) {
		t.Fatalf("place with lost answers: %v", err)
	}
	f.loseReserve.Store(false)
	if f.inv.Stock(choc) != 10 {
		t.Fatalf("stock %d after lost answer, want 10", f.inv.Stock(choc))
	}
	f.checkInvariant(t, choc)
}

func TestRecoveryAfterCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		// crash plays the steps a request took before the process died.
		crash      func(t *testing.T, f *fixture, product string) string
		wantStatus ordering.Status
		wantStock  int
	}{
		{
			name: "after PENDING insert, before reserve",
			crash: func(t *testing.T, f *fixture, p string) string {
				return f.pending(t, p, 4).ID
			},
			wantStatus: ordering.StatusRejected, wantStock: 10,
		},
		{
			name: "after reserve, before confirm",
			crash: func(t *testing.T, f *fixture, p string) string {
				o := f.pending(t, p, 4)
				if _, err := f.client.Reserve(ctx, o.ID, o.Lines); err != nil {
					t.Fatal(err)
				}
				return o.ID
			},
			wantStatus: ordering.StatusConfirmed, wantStock: 6,
		},
		{
			name: "after refused reserve, before reject",
			crash: func(t *testing.T, f *fixture, p string) string {
				o := f.pending(t, p, 11)
				if _, err := f.client.Reserve(ctx, o.ID, o.Lines); err == nil {
					t.Fatal("reserve of 11 succeeded")
				}
				return o.ID
			},
			wantStatus: ordering.StatusRejected, wantStock: 10,
		},
		{
			name: "after confirm insert, before snapshot",
			crash: func(t *testing.T, f *fixture, p string) string {
				o := f.pending(t, p, 4)
				res, err := f.client.Reserve(ctx, o.ID, o.Lines)
				if err != nil {
					t.Fatal(err)
				}
				return o.ID + confirmByHand(t, f, o, res)
			},
			wantStatus: ordering.StatusConfirmed, wantStock: 6,
		},
		{
			name: "after cancel insert, before release",
			crash: func(t *testing.T, f *fixture, p string) string {
				o, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: p, Quantity: 4}))
				if err != nil {
					t.Fatal(err)
				}
				c := ordering.Transition{OrderID: o.ID, Step: ordering.StepCancel, From: ordering.StatusConfirmed, To: ordering.StatusCancelled, Lines: o.Lines, Total: o.Total, NeedsRelease: true, At: time.Now().UTC()}
				if err := f.store.AppendTransition(ctx, c); err != nil {
					t.Fatal(err)
				}
				return o.ID
			},
			wantStatus: ordering.StatusCancelled, wantStock: 10,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, 0)
			choc := f.inv.AddProduct(20, 10)
			id := tc.crash(t, f, choc)[:24]
			// A restarted process: a new service over the same store and products.
			rep, err := f.svc.Recover(ctx)
			if err != nil {
				t.Fatalf("recover: %+v %v", rep, err)
			}
			o, err := f.svc.Get(ctx, admin, id)
			if err != nil || o.Status != tc.wantStatus {
				t.Fatalf("order %+v %v, want %s", o, err, tc.wantStatus)
			}
			if f.inv.Stock(choc) != tc.wantStock {
				t.Fatalf("stock %d, want %d", f.inv.Stock(choc), tc.wantStock)
			}
			// Snapshots are repaired, releases acknowledged: a second pass has nothing to do.
			if rep, err := f.svc.Recover(ctx); err != nil || rep != (ordering.RecoveryReport{}) {
				t.Fatalf("second pass: %+v %v", rep, err)
			}
			if tc.wantStatus == ordering.StatusConfirmed && (o.Total != 80 || o.Lines[0].UnitPrice != 20) {
				t.Fatalf("confirmed without prices: %+v", o)
			}
			f.checkInvariant(t, choc)
		})
	}
}

// confirmByHand inserts the CONFIRMED transition without the snapshot, as a
// process dying between the two writes leaves it.
func confirmByHand(t *testing.T, f *fixture, o ordering.Order, res ordering.Reservation) string {
	t.Helper()
	if res.Status != inventoryapi.StatusReserved {
		t.Fatalf("reservation %+v", res)
	}
	tr := ordering.Transition{OrderID: o.ID, Step: ordering.StepResolve, From: ordering.StatusPending, To: ordering.StatusConfirmed, Lines: res.Lines, Total: 80, At: time.Now().UTC()}
	if err := f.store.AppendTransition(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
	return ""
}

func TestRecoveryLeavesYoungWorkAlone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Hour)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)
	o := f.pending(t, choc, 1)
	if rep, err := f.svc.Recover(ctx); err != nil || rep != (ordering.RecoveryReport{}) {
		t.Fatalf("recover: %+v %v", rep, err)
	}
	if got, _ := f.svc.Get(ctx, admin, o.ID); got.Status != ordering.StatusPending {
		t.Fatalf("young order resolved to %s", got.Status)
	}
	// products being down leaves stale work for the next pass.
	g := newFixture(t, 0)
	p := g.inv.AddProduct(1, 1)
	o = g.pending(t, p, 1)
	g.down.Store(true)
	if rep, err := g.svc.Recover(ctx); err == nil || rep.Failed != 1 {
		t.Fatalf("recover while down: %+v %v", rep, err)
	}
	if got, _ := g.svc.Get(ctx, admin, o.ID); got.Status != ordering.StatusPending {
		t.Fatalf("order resolved to %s without asking products", got.Status)
	}
}

// TestRecoveryDoesNotStarveNewWork: the oldest items keep failing (products
// answers 503 for their orders only). A pass ends after a few failures in a
// row, and failed items move behind the rest, so a newer item is settled
// within two passes instead of waiting behind them forever.
func TestRecoveryDoesNotStarveNewWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)
	var stuck []ordering.Order
	for range 6 {
		o := f.pending(t, choc, 1)
		f.failing.Store(o.ID, true)
		stuck = append(stuck, o)
	}
	fresh := f.pending(t, choc, 1)
	for pass := 1; ; pass++ {
		rep, _ := f.svc.Recover(ctx)
		if rep.Failed == 0 || rep.Failed > 3 {
			t.Fatalf("pass %d: %+v, want 1-3 failures", pass, rep)
		}
		if got, _ := f.svc.Get(ctx, admin, fresh.ID); got.Status == ordering.StatusRejected {
			break
		}
		if pass == 3 {
			t.Fatalf("the newer order is still unsettled after %d passes", pass)
		}
	}
	for _, o := range stuck {
		if got, _ := f.svc.Get(ctx, admin, o.ID); got.Status != ordering.StatusPending {
			t.Fatalf("order %s resolved to %s while products failed for it", o.ID, got.Status)
		}
		f.failing.Delete(o.ID)
	}
	// Once products answers, everything settles and the work list empties.
	for range 3 {
		if _, err := f.svc.Recover(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := f.svc.Recover(ctx); err != nil || rep != (ordering.RecoveryReport{}) {
		t.Fatalf("final pass: %+v %v", rep, err)
	}
	if f.inv.Stock(choc) != 10 {
		t.Fatalf("stock %d, want 10", f.inv.Stock(choc))
	}
	f.checkInvariant(t, choc)
}

// TestRecoveryOfAnOrderNeverWritten: the request died after recording the
// work item but before the order document. Recovery closes step 1 as
// REJECTED (without an event), so a write that lands later reads as
// REJECTED instead of staying PENDING, and the work list empties.
func TestRecoveryOfAnOrderNeverWritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)
	o := f.pending(t, choc, 2)
	oid, err := primitive.ObjectIDFromHex(o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection(mongostore.OrdersCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: oid}}); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.svc.Recover(ctx); err != nil || rep.Failed != 0 {
		t.Fatalf("recover: %+v %v", rep, err)
	}
	tr, err := f.store.Transition(ctx, o.ID, ordering.StepResolve)
	if err != nil || tr.To != ordering.StatusRejected || tr.Outbox != nil || tr.NeedsRelease {
		t.Fatalf("step 1: %+v %v", tr, err)
	}
	// The late write of the order document.
	if err := f.store.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.Get(ctx, admin, o.ID); err != nil || got.Status != ordering.StatusRejected {
		t.Fatalf("late order: %+v %v", got, err)
	}
	if f.inv.Stock(choc) != 10 {
		t.Fatalf("stock %d", f.inv.Stock(choc))
	}
}

// TestRecoveryDrainsABacklog: more items than one batch (an outage left
// them) are all settled by one pass.
func TestRecoveryDrainsABacklog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	const items = 230
	for range items {
		// A cancel whose transition insert failed: settled by removing it.
		w := ordering.WorkItem{OrderID: primitive.NewObjectID().Hex(), Step: ordering.StepCancel, At: time.Now().UTC()}
		if err := f.store.RetryWork(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := f.svc.Recover(ctx); err != nil || rep.Failed != 0 {
		t.Fatalf("recover: %+v %v", rep, err)
	}
	if left, err := f.store.Work(ctx, items); err != nil || len(left) != 0 {
		t.Fatalf("%d items left after one pass (%v)", len(left), err)
	}
}

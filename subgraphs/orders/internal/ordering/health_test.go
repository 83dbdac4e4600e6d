package ordering_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

// TestHealth follows the work list through an outage: a crashed request
// leaves a PENDING order, products being down leaves a release owed, and
// recovery settles both. Health reads the work list whole and everything
// else by point reads, and is for admins only.
func TestHealth(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	log := &commandLog{}
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(log.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureOn(t, 0, client, client.Database(testenv.Name("orders_health")))
	choc := f.inv.AddProduct(20, 10)

	for _, tc := range []struct {
		name   string
		caller ordering.Caller
		want   error
	}{
		{"anonymous", ordering.Caller{}, ordering.ErrAdminKeyRequired},
		{"user", alice, ordering.ErrForbidden},
	} {
		if _, err := f.svc.Health(ctx, tc.caller); !errors.Is(err, tc.want) {
			t.Errorf("%s: health error %v, want %v", tc.name, err, tc.want)
		}
	}

	check := func(what string, want ordering.Health) {
		t.Helper()
		var got ordering.Health
		checkPointOps(t, "health "+what, log.record(func() {
			got, err = f.svc.Health(ctx, admin)
		}), "find "+mongostore.WorkCollection)
		if err != nil {
			t.Fatalf("%s: health: %v", what, err)
		}
		age, aged := got.OldestAge(time.Now())
		if got.UnsettledSteps != want.UnsettledSteps || got.OwedReleases != want.OwedReleases || got.PendingOrders != want.PendingOrders ||
			aged != (want.UnsettledSteps > 0) || age < 0 || age > time.Minute {
			t.Fatalf("%s: health %+v (age %s), want %+v", what, got, age, want)
		}
	}

	check("with nothing placed", ordering.Health{})
	if o, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 2})); err != nil || o.Status != ordering.StatusConfirmed {
		t.Fatalf("place: %+v %v", o, err)
	}
	check("after a settled order", ordering.Health{})

	// A request that crashed after recording its order.
	f.pending(t, choc, 1)
	check("with a crashed request", ordering.Health{UnsettledSteps: 1, PendingOrders: 1})

	// Products goes down: the order is rejected and its possible
	// reservation is owed a release nobody can deliver yet.
	f.down.Store(true)
	if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 3})); !errors.Is(err, ordering.ErrUnavailable) {
		t.Fatalf("place while down: %v", err)
	}
	check("with products down", ordering.Health{UnsettledSteps: 2, OwedReleases: 1, PendingOrders: 1})

	f.down.Store(false)
	if rep, err := f.svc.Recover(ctx); err != nil || rep.Rejected != 1 || rep.Released < 1 {
		t.Fatalf("recover: %+v %v", rep, err)
	}
	check("after recovery", ordering.Health{})
	f.checkInvariant(t, choc)
}

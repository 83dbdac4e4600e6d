package ordering_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// The reads of the order lists stay within the request's budget, counted
// by a command monitor on the store's client: a list that does not fit is
// refused before it reads its history, a user's history is read once and
// at most MaxList orders long however often the user is requested, and a
// repeated order reference is read once.
func TestReadsStayWithinTheBudget(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	log := &commandLog{}
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(log.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureOn(t, 0, client, client.Database(testenv.Name("orders_budget")))
	const placed = ordering.MaxList + 20
	at := time.Now().UTC().Add(-time.Hour)
	var first string
	for i := range placed {
		o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: alice.UserID, Status: ordering.StatusPending,
			Lines: []ordering.Line{{ProductID: "65a0000000000000000000ff", Quantity: 1}}, CreatedAt: at.Add(time.Duration(i) * time.Millisecond)}
		if err := f.store.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = o.ID
		}
	}
	finds := func(calls []call) int {
		n := 0
		for _, c := range calls {
			if c.kind == "find" {
				n++
			}
		}
		return n
	}
	repeat := func(id string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id
		}
		return out
	}
	cases := []struct {
		name      string
		budget    int
		run       func(ctx context.Context) (int, error)
		want      int // orders returned
		refused   bool
		wantReads int // at most
	}{
		{"orders within a shopper's budget", 5000, func(ctx context.Context) (int, error) {
			os, err := f.svc.List(ctx, alice)
			return len(os), err
		}, ordering.MaxList, false, 5000},
		{"orders over a small budget", 100, func(ctx context.Context) (int, error) {
			os, err := f.svc.List(ctx, alice)
			return len(os), err
		}, 0, true, 100},
		{"User.orders of one user requested 1000 times", 5000, func(ctx context.Context) (int, error) {
			h, err := f.svc.OrdersOfUsers(ctx, alice, repeat(alice.UserID, 1000))
			return len(h[alice.UserID]), err
		}, ordering.MaxList, false, 5000},
		{"one order referenced 1000 times", 10, func(ctx context.Context) (int, error) {
			os, err := f.svc.OrdersByID(ctx, alice, repeat(first, 1000))
			return len(os), err
		}, 1, false, 10},
	}
	for _, c := range cases {
		var got int
		var runErr error
		calls := log.record(func() { got, runErr = c.run(readbudget.With(ctx, c.budget)) })
		var ex *readbudget.ExceededError
		if refused := errors.As(runErr, &ex); refused != c.refused || (!refused && runErr != nil) {
			t.Errorf("%s: err %v, want refused=%v", c.name, runErr, c.refused)
		}
		if got != c.want {
			t.Errorf("%s: %d orders, want %d", c.name, got, c.want)
		}
		if n := finds(calls); n > c.wantReads {
			t.Errorf("%s: %d reads, want at most %d", c.name, n, c.wantReads)
		}
		t.Logf("%s: %d orders, %d reads (budget %d), err %v", c.name, got, finds(calls), c.budget, runErr)
	}
}

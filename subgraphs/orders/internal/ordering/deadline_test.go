package ordering_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/inventorydouble"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/productsclient"
)

// TestReservationOutlivingTheRequest: products answers after the request
// stopped waiting (the reserve budget, or the request's own deadline).
// The order is rejected at once with its stock released, and the
// reservation products completes afterwards takes nothing.
func TestReservationOutlivingTheRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		reserveTimeout time.Duration
		reqTimeout     time.Duration
	}{
		{"reserve budget", 300 * time.Millisecond, 0},
		{"request deadline", time.Minute, 300 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, time.Hour)
			f.svc = ordering.NewService(ordering.Options{Store: f.store, Inventory: f.client, Topic: "shop.orders", Grace: time.Hour, ReserveTimeout: tc.reserveTimeout})
			choc := f.inv.AddProduct(20, 10)
			f.slowReserve.Store(int64(time.Second))
			ctx := context.Background()
			if tc.reqTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.reqTimeout)
				defer cancel()
			}
			if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 3})); !errors.Is(err, ordering.ErrUnavailable) {
				t.Fatalf("place: %v, want ErrUnavailable", err)
			}
			list, err := f.svc.List(context.Background(), alice)
			if err != nil || len(list) != 1 || list[0].Status != ordering.StatusRejected {
				t.Fatalf("orders %+v %v, want one REJECTED", list, err)
			}
			tr, err := f.store.Transition(context.Background(), list[0].ID, ordering.StepResolve)
			if err != nil || !tr.NeedsRelease || !tr.Released {
				t.Fatalf("the release should be owed and acknowledged: %+v %v", tr, err)
			}
			// The late reserve reaches products after the release.
			deadline := time.Now().Add(10 * time.Second)
			for f.slowSeen.Load() == 0 || f.slowDone.Load() != f.slowSeen.Load() {
				if time.Now().After(deadline) {
					t.Fatalf("delayed reserves: %d received, %d handled", f.slowSeen.Load(), f.slowDone.Load())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if st := f.inv.Status(list[0].ID); st != inventoryapi.StatusReleased {
				t.Fatalf("products status %q, want RELEASED", st)
			}
			if f.inv.Stock(choc) != 10 {
				t.Fatalf("stock %d after the late reservation, want 10", f.inv.Stock(choc))
			}
			f.checkInvariant(t, choc)
		})
	}
}

// TestPlaceWhenStoreUnavailable: the orders database does not answer. The
// caller learns the order's id in a *PendingError, and the cause stays
// recognisable as an outage (mongox.IsUnavailable).
func TestPlaceWhenStoreUnavailable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(context.Background(), options.Client().ApplyURI("mongodb://"+addr).SetServerSelectionTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	inv := inventorydouble.New("tok")
	svc := ordering.NewService(ordering.Options{
		Store:     mongostore.New(client.Database("orders")),
		Inventory: productsclient.New(productsclient.Config{BaseURL: "http://127.0.0.1:1", Token: "tok"}),
	})
	choc := inv.AddProduct(20, 10)
	_, err = svc.Place(context.Background(), alice, lines(ordering.LineInput{ProductID: choc, Quantity: 1}))
	var pending *ordering.PendingError
	if !errors.As(err, &pending) || pending.OrderID == "" || pending.Resumable || !mongox.IsUnavailable(err) {
		t.Fatalf("place: %v, want a *PendingError over an outage", err)
	}
	_, err = svc.PlaceHeld(context.Background(), alice, "65a0000000000000000000c1", "65a0000000000000000000c1", []ordering.Line{{ProductID: choc, Quantity: 1}})
	if !errors.As(err, &pending) || pending.OrderID != "65a0000000000000000000c1" || !pending.Resumable || !mongox.IsUnavailable(err) {
		t.Fatalf("place held: %v, want a resumable *PendingError over an outage", err)
	}
	if _, err := svc.List(context.Background(), alice); !mongox.IsUnavailable(err) {
		t.Fatalf("list: %v, want an outage", err)
	}
}

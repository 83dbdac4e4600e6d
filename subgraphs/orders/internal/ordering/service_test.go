package ordering_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

func TestPlaceConfirmsAndOwnership(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc, tea := f.inv.AddProduct(20, 10), f.inv.AddProduct(150, 5)

	o, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 10}, ordering.LineInput{ProductID: tea, Quantity: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != ordering.StatusConfirmed || o.Total != 10*20+2*150 || o.UserID != alice.UserID || o.Lines[0].UnitPrice != 20 {
		t.Fatalf("placed %+v", o)
	}
	if f.inv.Stock(choc) != 0 || f.inv.Stock(tea) != 3 {
		t.Fatalf("stock choc %d tea %d", f.inv.Stock(choc), f.inv.Stock(tea))
	}
	tr, err := f.store.Transition(ctx, o.ID, ordering.StepResolve)
	if err != nil || tr.Outbox == nil || tr.Outbox.Type != events.OrderPlaced || tr.Outbox.Key != o.ID || tr.Outbox.Topic != "shop.orders" {
		t.Fatalf("OrderPlaced not in the outbox: %+v %v", tr, err)
	}

	tests := []struct {
		name    string
		caller  ordering.Caller
		wantErr error
		wantN   int // orders listed
	}{
		{"owner", alice, nil, 1},
		{"admin", admin, nil, 1},
		{"other user", bob, ordering.ErrNotFound, 0},
		{"anonymous", ordering.Caller{}, ordering.ErrUnauthenticated, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.svc.Get(ctx, tc.caller, o.ID)
			if !errors.Is(err, tc.wantErr) || (err == nil && got.ID != o.ID) {
				t.Fatalf("get: %+v %v, want %v", got, err, tc.wantErr)
			}
			if _, err := f.svc.Cancel(ctx, tc.caller, o.ID); tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("cancel: %v, want %v", err, tc.wantErr)
			}
			list, err := f.svc.List(ctx, tc.caller)
			if tc.wantN < 0 {
				if !errors.Is(err, ordering.ErrUnauthenticated) {
					t.Fatalf("list: %v", err)
				}
				return
			}
			if err != nil || len(list) != tc.wantN {
				t.Fatalf("list: %d orders, err %v, want %d", len(list), err, tc.wantN)
			}
			hist, err := f.svc.OrdersOfUsers(ctx, tc.caller, []string{alice.UserID, bob.UserID})
			if err != nil || len(hist[alice.UserID]) != tc.wantN || len(hist[bob.UserID]) != 0 {
				t.Fatalf("history: %v %v", hist, err)
			}
		})
	}
	if _, err := f.svc.Get(ctx, alice, "not-an-id"); !errorsAsInput(err) {
		t.Fatalf("malformed id: %v", err)
	}
}

func errorsAsInput(err error) bool {
	var ie *ordering.InputError
	return errors.As(err, &ie)
}

func TestPlaceRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 3)
	unknown := "0123456789abcdef01234567"
	tests := []struct {
		name      string
		caller    ordering.Caller
		in        []*ordering.LineInput
		check     func(error) bool
		leaves    bool // a REJECTED order stays in the history
		wantStock int
	}{
		{"anonymous", ordering.Caller{}, lines(ordering.LineInput{ProductID: choc, Quantity: 1}), func(err error) bool { return errors.Is(err, ordering.ErrUnauthenticated) }, false, 3},
		{"admin key without a user", admin, lines(ordering.LineInput{ProductID: choc, Quantity: 1}), func(err error) bool { return errors.Is(err, ordering.ErrUnauthenticated) }, false, 3},
		{"empty", alice, nil, errorsAsInput, false, 3},
		{"zero quantity", alice, lines(ordering.LineInput{ProductID: choc, Quantity: 0}), errorsAsInput, false, 3},
		{"duplicate", alice, lines(ordering.LineInput{ProductID: choc, Quantity: 1}, ordering.LineInput{ProductID: choc, Quantity: 1}), errorsAsInput, false, 3},
		{"unknown product", alice, lines(ordering.LineInput{ProductID: unknown, Quantity: 1}), func(err error) bool {
			var ie *ordering.InputError
			return errors.As(err, &ie) && ie.ProductID == unknown
		}, true, 3},
		{"one unknown line reserves nothing", alice, lines(ordering.LineInput{ProductID: choc, Quantity: 2}, ordering.LineInput{ProductID: unknown, Quantity: 1}), errorsAsInput, true, 3},
		{"insufficient stock", alice, lines(ordering.LineInput{ProductID: choc, Quantity: 4}), func(err error) bool {
			var se *ordering.StockError
			return errors.As(err, &se) && se.ProductID == choc && se.Requested == 4 && se.Available != nil && *se.Available == 3
		}, true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.svc.List(ctx, admin)
			_, err := f.svc.Place(ctx, tc.caller, tc.in)
			if !tc.check(err) {
				t.Fatalf("err = %v", err)
			}
			after, _ := f.svc.List(ctx, admin)
			if grew := len(after) - len(before); grew != map[bool]int{false: 0, true: 1}[tc.leaves] {
				t.Fatalf("orders grew by %d", grew)
			}
			if tc.leaves && after[0].Status != ordering.StatusRejected {
				t.Fatalf("order left as %s, want REJECTED", after[0].Status)
			}
			if f.inv.Stock(choc) != tc.wantStock {
				t.Fatalf("stock %d, want %d", f.inv.Stock(choc), tc.wantStock)
			}
		})
	}
	f.checkInvariant(t, choc)
}

func TestConcurrentBuyersNeverOversell(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)
	const buyers = 30
	var wg sync.WaitGroup
	var mu sync.Mutex
	sold, refused := 0, 0
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buyer := ordering.Caller{UserID: "buyer" + string(rune('A'+i))}
			o, err := f.svc.Place(ctx, buyer, lines(ordering.LineInput{ProductID: choc, Quantity: 1}))
			var se *ordering.StockError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && o.Status == ordering.StatusConfirmed:
				sold++
			case errors.As(err, &se):
				refused++
			default:
				t.Errorf("buyer %d: %+v %v", i, o, err)
			}
		}()
	}
	wg.Wait()
	if sold != 10 || refused != buyers-10 || f.inv.Stock(choc) != 0 {
		t.Fatalf("sold %d refused %d stock %d", sold, refused, f.inv.Stock(choc))
	}
	f.checkInvariant(t, choc)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	choc := f.inv.AddProduct(20, 10)
	o, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 4}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, bob, o.ID); !errors.Is(err, ordering.ErrNotFound) {
		t.Fatalf("cancel by another user: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := f.svc.Cancel(ctx, alice, o.ID)
			if err != nil || got.Status != ordering.StatusCancelled {
				t.Errorf("cancel: %+v %v", got, err)
			}
		}()
	}
	wg.Wait()
	if calls := f.inv.ReleaseCalls(o.ID); calls != 1 {
		t.Fatalf("products got %d release calls, want 1", calls)
	}
	if f.inv.Stock(choc) != 10 {
		t.Fatalf("stock %d after cancel, want 10", f.inv.Stock(choc))
	}
	tr, err := f.store.Transition(ctx, o.ID, ordering.StepCancel)
	if err != nil || !tr.Released || tr.Outbox == nil || tr.Outbox.Type != events.OrderCancelled || tr.Outbox.Key != o.ID {
		t.Fatalf("cancel transition %+v %v", tr, err)
	}
	// Cancelling again later is idempotent; cancelling a rejected order is a state error.
	if got, err := f.svc.Cancel(ctx, admin, o.ID); err != nil || got.Status != ordering.StatusCancelled {
		t.Fatalf("cancel again: %+v %v", got, err)
	}
	if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 11})); err == nil {
		t.Fatal("oversized order placed")
	}
	all, _ := f.svc.List(ctx, alice)
	var se *ordering.StateError
	if _, err := f.svc.Cancel(ctx, alice, all[0].ID); !errors.As(err, &se) || se.Status != ordering.StatusRejected {
		t.Fatalf("cancel rejected order: %v", err)
	}
	f.checkInvariant(t, choc)
}

package app_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// Two replicas share one database: the striped locks serialize inside each
// process and the ledger entry's key (product and version) arbitrates
// between them.
func TestConcurrentReservationsTwoInstancesNeverOversell(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "limited edition", 1999, 50)

	var ok, rejected, other atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			code, r := in.reserve(t, fmt.Sprintf("order-%d", i), inventoryapi.Line{ProductID: p.ID, Quantity: 1})
			switch {
			case code == http.StatusOK && r.Status == inventoryapi.StatusReserved:
				ok.Add(1)
				if len(r.Lines) != 1 || r.Lines[0].UnitPrice != 1999 {
					t.Errorf("reserved lines = %+v, want one line at 1999", r.Lines)
				}
			case code == http.StatusConflict && r.Status == inventoryapi.StatusRejected && r.Problem != nil && r.Problem.Code == inventoryapi.CodeInsufficientStock:
				rejected.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected answer %d %+v", code, r)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 50 || rejected.Load() != 150 || other.Load() != 0 {
		t.Fatalf("reserved %d, rejected %d, other %d; want 50, 150, 0", ok.Load(), rejected.Load(), other.Load())
	}
	if q := a.quantity(t, p.ID); q != 0 {
		t.Fatalf("final quantity via a = %d, want 0", q)
	}
	if q := b.quantity(t, p.ID); q != 0 {
		t.Fatalf("final quantity via b = %d, want 0", q)
	}
	checkInvariant(t, env, sh)
}

// Concurrent two-line orders against a scarce second product: every order
// holds both lines or neither.
func TestConcurrentMultiLineOrdersAreAllOrNothing(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	plenty := a.create(t, "plenty", 100, 40)
	scarce := a.create(t, "scarce", 250, 7)

	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 30 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			code, r := in.reserve(t, fmt.Sprintf("multi-%d", i),
				inventoryapi.Line{ProductID: plenty.ID, Quantity: 1}, inventoryapi.Line{ProductID: scarce.ID, Quantity: 1})
			switch code {
			case http.StatusOK:
				ok.Add(1)
				if len(r.Lines) != 2 {
					t.Errorf("reserved %d lines, want 2", len(r.Lines))
				}
			case http.StatusConflict:
				if r.Problem == nil || r.Problem.ProductID != scarce.ID || r.Problem.Available == nil {
					t.Errorf("rejection should name the scarce product and what is available: %+v", r.Problem)
				}
			default:
				t.Errorf("unexpected status %d %+v", code, r)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 7 {
		t.Fatalf("%d orders reserved, want 7", ok.Load())
	}
	if q := a.quantity(t, plenty.ID); q != 33 {
		t.Fatalf("plenty quantity = %d, want 33 (no partial reservations left)", q)
	}
	if q := a.quantity(t, scarce.ID); q != 0 {
		t.Fatalf("scarce quantity = %d, want 0", q)
	}
	checkInvariant(t, env, sh)
}

func TestRetriedReservationAndDoubleReleaseChangeStockOnce(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "retry me", 500, 10)
	line := inventoryapi.Line{ProductID: p.ID, Quantity: 3}

	code1, r1 := a.reserve(t, "order-retry", line)
	code2, r2 := b.reserve(t, "order-retry", line)
	// A retry with different lines still gets the first answer.
	code3, r3 := a.reserve(t, "order-retry", inventoryapi.Line{ProductID: p.ID, Quantity: 9})
	if code1 != 200 || code2 != 200 || code3 != 200 || r2.Status != r1.Status || len(r3.Lines) != 1 || r3.Lines[0].Quantity != 3 {
		t.Fatalf("retries should return the first answer: %d %+v / %d %+v / %d %+v", code1, r1, code2, r2, code3, r3)
	}
	if q := a.quantity(t, p.ID); q != 7 {
		t.Fatalf("quantity after retried reservation = %d, want 7", q)
	}
	checkInvariant(t, env, sh)

	for i, in := range []*instance{a, b, a} {
		code, r := in.release(t, "order-retry")
		if code != 200 || r.Status != inventoryapi.StatusReleased {
			t.Fatalf("release %d: %d %+v", i, code, r)
		}
	}
	if q := a.quantity(t, p.ID); q != 10 {
		t.Fatalf("quantity after double release = %d, want 10", q)
	}
	// Reserving a released order again does not take stock again.
	if code, r := b.reserve(t, "order-retry", line); code != 200 || r.Status != inventoryapi.StatusReleased {
		t.Fatalf("reserve after release: %d %+v", code, r)
	}
	if code, r := a.call(t, http.MethodGet, inventoryapi.PathReservations+"/order-retry", nil); code != 200 || r.Status != inventoryapi.StatusReleased {
		t.Fatalf("get reservation: %d %+v", code, r)
	}
	if q := b.quantity(t, p.ID); q != 10 {
		t.Fatalf("quantity = %d, want 10", q)
	}
	checkInvariant(t, env, sh)
}

// Release is idempotent and answers 200 RELEASED whatever the order's
// decision was: a rejected order (short of stock or naming an unknown
// product) and an order products never heard of are released without a
// problem, so the orders service's release recovery can finish. A lookup
// answers 200 too, with the problem of an unreleased rejection inside.
func TestReleaseAnswersReleasedForEveryDecision(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := start(t, env, sh)
	p := in.create(t, "scarce release", 300, 2)
	cases := []struct {
		name, orderID string
		lines         []inventoryapi.Line
		reserveCode   int
	}{
		{"short of stock", "rel-short", []inventoryapi.Line{{ProductID: p.ID, Quantity: 3}}, http.StatusConflict},
		{"unknown product", "rel-unknown", []inventoryapi.Line{{ProductID: "64b7f0c2a1b2c3d4e5f60718", Quantity: 1}}, http.StatusNotFound},
		{"never reserved", "rel-never", nil, 0},
		{"reserved", "rel-reserved", []inventoryapi.Line{{ProductID: p.ID, Quantity: 1}}, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.lines != nil {
				if code, r := in.reserve(t, c.orderID, c.lines...); code != c.reserveCode {
					t.Fatalf("reserve: %d %+v, want %d", code, r, c.reserveCode)
				}
				if c.reserveCode != http.StatusOK {
					code, r := in.call(t, http.MethodGet, inventoryapi.PathReservations+"/"+c.orderID, nil)
					if code != http.StatusOK || r.Status != inventoryapi.StatusRejected || r.Problem == nil {
						t.Fatalf("lookup of a rejection: %d %+v, want 200 REJECTED with its problem", code, r)
					}
				}
			}
			for i := range 2 {
				code, r := in.release(t, c.orderID)
				if code != http.StatusOK || r.Status != inventoryapi.StatusReleased || r.Problem != nil {
					t.Fatalf("release %d: %d %+v, want 200 RELEASED without a problem", i, code, r)
				}
			}
			code, r := in.call(t, http.MethodGet, inventoryapi.PathReservations+"/"+c.orderID, nil)
			if code != http.StatusOK || r.Status != inventoryapi.StatusReleased || r.Problem != nil {
				t.Fatalf("lookup after release: %d %+v", code, r)
			}
		})
	}
	if q := in.quantity(t, p.ID); q != 2 {
		t.Fatalf("quantity = %d, want 2 (every unit back)", q)
	}
	checkInvariant(t, env, sh)
}

package inventorydouble

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
)

// call sends one request to the double and decodes the answer into out.
func call(t *testing.T, srv *httptest.Server, token, method, path string, body any, out any) int {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(inventoryapi.HeaderServiceToken, token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("decode: %v", err)
		}
	}
	return resp.StatusCode
}

func reserve(orderID string, lines ...inventoryapi.Line) inventoryapi.ReserveRequest {
	return inventoryapi.ReserveRequest{OrderID: orderID, Lines: lines}
}

func TestContract(t *testing.T) {
	t.Parallel()
	d := New("tok")
	srv := httptest.NewServer(d)
	defer srv.Close()
	choc := d.AddProduct(20, 10)
	tea := d.AddProduct(5, 1)
	P := inventoryapi.PathReservations

	var prob inventoryapi.Problem
	if st := call(t, srv, "wrong", "POST", P, reserve("o0", inventoryapi.Line{ProductID: choc, Quantity: 1}), &prob); st != 401 || prob.Code != inventoryapi.CodeUnauthorized {
		t.Fatalf("wrong token: %d %+v", st, prob)
	}
	if st := call(t, srv, "tok", "POST", P, reserve("o0"), &prob); st != 400 || prob.Code != inventoryapi.CodeBadInput {
		t.Fatalf("no lines: %d %+v", st, prob)
	}
	if st := call(t, srv, "tok", "POST", P, reserve("o0", inventoryapi.Line{ProductID: "000000000000000000000000", Quantity: 1}), &prob); st != 404 || prob.Code != inventoryapi.CodeNotFound {
		t.Fatalf("unknown product: %d %+v", st, prob)
	}

	// All or nothing: the second line cannot be served, so the first is not taken.
	if st := call(t, srv, "tok", "POST", P, reserve("o1", inventoryapi.Line{ProductID: choc, Quantity: 3}, inventoryapi.Line{ProductID: tea, Quantity: 2}), &prob); st != 409 ||
		prob.Code != inventoryapi.CodeInsufficientStock || prob.ProductID != tea || prob.Requested != 2 || prob.Available == nil || *prob.Available != 1 {
		t.Fatalf("insufficient: %d %+v", st, prob)
	}
	if d.Stock(choc) != 10 || d.Stock(tea) != 1 {
		t.Fatalf("partial reservation left behind: choc %d tea %d", d.Stock(choc), d.Stock(tea))
	}

	var res inventoryapi.Reservation
	if st := call(t, srv, "tok", "POST", P, reserve("o2", inventoryapi.Line{ProductID: choc, Quantity: 4}, inventoryapi.Line{ProductID: tea, Quantity: 1}), &res); st != 200 ||
		res.Status != inventoryapi.StatusReserved || len(res.Lines) != 2 || res.Lines[0].UnitPrice != 20 || res.Lines[1].UnitPrice != 5 {
		t.Fatalf("reserve: %d %+v", st, res)
	}
	// Idempotent: a retry returns the first answer and takes nothing more,
	// even with different lines.
	if st := call(t, srv, "tok", "POST", P, reserve("o2", inventoryapi.Line{ProductID: choc, Quantity: 6}), &res); st != 200 || res.Lines[0].Quantity != 4 {
		t.Fatalf("retry: %d %+v", st, res)
	}
	if d.Stock(choc) != 6 || d.Stock(tea) != 0 || d.Held(choc) != 4 {
		t.Fatalf("after reserve: choc %d (held %d) tea %d", d.Stock(choc), d.Held(choc), d.Stock(tea))
	}
	if st := call(t, srv, "tok", "GET", P+"/o2", nil, &res); st != 200 || res.Status != inventoryapi.StatusReserved {
		t.Fatalf("get: %d %+v", st, res)
	}
	if st := call(t, srv, "tok", "GET", P+"/nope", nil, &prob); st != 404 {
		t.Fatalf("get unknown: %d", st)
	}
	for range 2 {
		if st := call(t, srv, "tok", "POST", P+"/o2/release", nil, &res); st != 200 || res.Status != inventoryapi.StatusReleased {
			t.Fatalf("release: %d %+v", st, res)
		}
	}
	if d.Stock(choc) != 10 || d.Stock(tea) != 1 || d.ReleaseCalls("o2") != 2 {
		t.Fatalf("after double release: choc %d tea %d calls %d", d.Stock(choc), d.Stock(tea), d.ReleaseCalls("o2"))
	}
	// A release before the reserve decides the order: the late reserve
	// gets RELEASED back and takes no stock.
	if st := call(t, srv, "tok", "POST", P+"/never/release", nil, &res); st != 200 || res.Status != inventoryapi.StatusReleased {
		t.Fatalf("release unknown: %d %+v", st, res)
	}
	if st := call(t, srv, "tok", "POST", P, reserve("never", inventoryapi.Line{ProductID: choc, Quantity: 1}), &res); st != 200 || res.Status != inventoryapi.StatusReleased {
		t.Fatalf("reserve after release: %d %+v", st, res)
	}
	if d.Stock(choc) != 10 {
		t.Fatalf("stock %d after a released order's reserve, want 10", d.Stock(choc))
	}
	if err := d.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentReservationsNeverOversell(t *testing.T) {
	t.Parallel()
	d := New("tok")
	srv := httptest.NewServer(d)
	defer srv.Close()
	id := d.AddProduct(1, 10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res inventoryapi.Reservation
			st := call(t, srv, "tok", "POST", inventoryapi.PathReservations, reserve("c"+string(rune('A'+i)), inventoryapi.Line{ProductID: id, Quantity: 1}), &res)
			mu.Lock()
			defer mu.Unlock()
			switch st {
			case 200:
				ok++
			case 409:
				refused++
			}
		}()
	}
	wg.Wait()
	if ok != 10 || refused != 40 || d.Stock(id) != 0 {
		t.Fatalf("ok %d refused %d stock %d", ok, refused, d.Stock(id))
	}
	if err := d.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
}

package productsclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/inventorydouble"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

func newClient(url, token string) *Client {
	return New(Config{BaseURL: url, Token: token, Timeout: 5 * time.Second, Attempts: 3, Backoff: 10 * time.Millisecond})
}

func TestReserveReleaseLookup(t *testing.T) {
	t.Parallel()
	d := inventorydouble.New("tok")
	srv := httptest.NewServer(d)
	defer srv.Close()
	c := newClient(srv.URL+"/", "tok")
	ctx := context.Background()
	choc := d.AddProduct(20, 10)

	res, err := c.Reserve(ctx, "o1", []ordering.Line{{ProductID: choc, Quantity: 4}})
	if err != nil || res.Status != inventoryapi.StatusReserved || len(res.Lines) != 1 || res.Lines[0].UnitPrice != 20 {
		t.Fatalf("reserve: %+v %v", res, err)
	}
	got, found, err := c.Lookup(ctx, "o1")
	if err != nil || !found || got.Status != inventoryapi.StatusReserved {
		t.Fatalf("lookup: %+v %v %v", got, found, err)
	}
	if _, found, err := c.Lookup(ctx, "unknown"); err != nil || found {
		t.Fatalf("lookup unknown: found=%v err=%v", found, err)
	}
	_, err = c.Reserve(ctx, "o2", []ordering.Line{{ProductID: choc, Quantity: 7}})
	var se *ordering.StockError
	if !errors.As(err, &se) || se.ProductID != choc || se.Requested != 7 || se.Available == nil || *se.Available != 6 {
		t.Fatalf("insufficient: %v", err)
	}
	// A retried reserve of the refused order replays the refusal.
	if _, err := c.Reserve(ctx, "o2", []ordering.Line{{ProductID: choc, Quantity: 1}}); !errors.As(err, &se) {
		t.Fatalf("replayed refusal: %v", err)
	}
	_, err = c.Reserve(ctx, "o3", []ordering.Line{{ProductID: "000000000000000000000000", Quantity: 1}})
	var ie *ordering.InputError
	if !errors.As(err, &ie) || ie.ProductID != "000000000000000000000000" {
		t.Fatalf("unknown product: %v", err)
	}
	if err := c.Release(ctx, "o1"); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := c.Release(ctx, "o1"); err != nil {
		t.Fatalf("release again: %v", err)
	}
	if err := c.Release(ctx, "never-reserved"); err != nil {
		t.Fatalf("release unknown: %v", err)
	}
	if d.Stock(choc) != 10 {
		t.Fatalf("stock %d after release, want 10", d.Stock(choc))
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	// A port nobody listens on: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String()
	ln.Close()

	unblock := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-unblock:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(unblock) })
	var failing atomic.Int32
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		failing.Add(1)
		http.Error(w, "boom", http.StatusBadGateway)
	}))
	t.Cleanup(broken.Close)
	d := inventorydouble.New("tok")
	good := httptest.NewServer(d)
	t.Cleanup(good.Close)
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)

	tests := []struct {
		name, url, token string
	}{
		{"connection refused", deadURL, "tok"},
		{"timeout", slow.URL, "tok"},
		{"5xx", broken.URL, "tok"},
		{"wrong service token", good.URL, "wrong"},
		{"not the products API", notFound.URL, "tok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := New(Config{BaseURL: tc.url, Token: tc.token, Timeout: 100 * time.Millisecond, Attempts: 3, Backoff: 10 * time.Millisecond})
			_, err := c.Reserve(context.Background(), "o1", []ordering.Line{{ProductID: "000000000000000000000001", Quantity: 1}})
			if !errors.Is(err, ordering.ErrUnavailable) {
				t.Fatalf("reserve: %v, want ErrUnavailable", err)
			}
			if err := c.Release(context.Background(), "o1"); !errors.Is(err, ordering.ErrUnavailable) {
				t.Fatalf("release: %v, want ErrUnavailable", err)
			}
			if _, _, err := c.Lookup(context.Background(), "o1"); !errors.Is(err, ordering.ErrUnavailable) {
				t.Fatalf("lookup: %v, want ErrUnavailable", err)
			}
		})
	}
	// Cleanups run after the parallel subtests (and before the servers close, LIFO).
	t.Cleanup(func() {
		if n := failing.Load(); n != 9 {
			t.Errorf("5xx server saw %d requests, want 3 calls x 3 attempts", n)
		}
	})
}

func TestRetriesAfterTransientFailure(t *testing.T) {
	t.Parallel()
	d := inventorydouble.New("tok")
	id := d.AddProduct(3, 5)
	var calls atomic.Int32
	// The first attempt reaches products, which reserves, but the answer is
	// lost (a 503 from a proxy in between); the retry must get the same
	// reservation back and not reserve twice.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			d.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "lost", http.StatusServiceUnavailable)
			return
		}
		d.ServeHTTP(w, r)
	}))
	defer srv.Close()
	res, err := newClient(srv.URL, "tok").Reserve(context.Background(), "o1", []ordering.Line{{ProductID: id, Quantity: 2}})
	if err != nil || res.Status != inventoryapi.StatusReserved {
		t.Fatalf("reserve: %+v %v", res, err)
	}
	if calls.Load() != 2 || d.Stock(id) != 3 {
		t.Fatalf("calls %d stock %d, want 2 calls and stock 3", calls.Load(), d.Stock(id))
	}
}

// TestRetriesTimedOutReserve: products reserves but answers after the
// attempt's timeout (a loaded products); the retry gets the same
// reservation back, and the stock is reserved once.
func TestRetriesTimedOutReserve(t *testing.T) {
	t.Parallel()
	d := inventorydouble.New("tok")
	id := d.AddProduct(3, 5)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			d.ServeHTTP(httptest.NewRecorder(), r)
			<-r.Context().Done() // the client gave up on this attempt
			return
		}
		d.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, Token: "tok", Timeout: 200 * time.Millisecond, Attempts: 3, Backoff: 10 * time.Millisecond})
	res, err := c.Reserve(context.Background(), "o1", []ordering.Line{{ProductID: id, Quantity: 2}})
	if err != nil || res.Status != inventoryapi.StatusReserved {
		t.Fatalf("reserve: %+v %v", res, err)
	}
	if calls.Load() != 2 || d.Stock(id) != 3 {
		t.Fatalf("calls %d stock %d, want 2 calls and stock 3", calls.Load(), d.Stock(id))
	}
}

// TestCallerDeadlineBoundsRetries: the caller's deadline ends the call
// even when attempts and their timeouts would allow more.
func TestCallerDeadlineBoundsRetries(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		// Once the body is read the server notices the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body) //nolint:errcheck // only draining
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, Token: "tok", Timeout: time.Minute, Attempts: 5, Backoff: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Reserve(ctx, "o1", []ordering.Line{{ProductID: "000000000000000000000001", Quantity: 1}})
	if !errors.Is(err, ordering.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reserve: %v, want ErrUnavailable after the deadline", err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d attempts, want 1: the deadline ended the first", n)
	}
}

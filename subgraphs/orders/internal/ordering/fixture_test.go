package ordering_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/inventorydouble"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/productsclient"
)

// fixture is the orders domain on a private FerretDB/MongoDB database,
// talking over HTTP to the contract double of the products service.
type fixture struct {
	svc   *ordering.Service
	store *mongostore.Store
	inv   *inventorydouble.Server
	// client is the same products client the service uses, for tests that
	// play a crashed request's steps by hand.
	client *productsclient.Client
	// down makes the products endpoint answer 503 to everything.
	down atomic.Bool
	// loseReserve makes products reserve but the answer get lost (503).
	loseReserve atomic.Bool
	// slowReserve delays products' handling of every reserve by this many
	// nanoseconds, whether or not the caller still waits (a loaded products).
	slowReserve atomic.Int64
	// slowSeen and slowDone count the delayed reserves received and handled.
	slowSeen, slowDone atomic.Int32
	// failing holds order ids whose lookups and releases answer 503.
	failing sync.Map
	// db is the orders database, for tests that play a crash by hand.
	db *mongo.Database
}

var (
	alice = ordering.Caller{UserID: "aaaaaaaaaaaaaaaaaaaaaaaa"}
	bob   = ordering.Caller{UserID: "bbbbbbbbbbbbbbbbbbbbbbbb"}
	admin = ordering.Caller{Admin: true}
)

func newFixture(t *testing.T, grace time.Duration) *fixture {
	t.Helper()
	env := testenv.Get(t)
	client, db, err := mongox.Connect(context.Background(), env.MongoURI, testenv.Name("orders_svc"))
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, grace, client, db)
}

// newFixtureOn is newFixture on a database the test connected to itself
// (a client with a command monitor, say).
func newFixtureOn(t *testing.T, grace time.Duration, client *mongo.Client, db *mongo.Database) *fixture {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = client.Disconnect(context.Background())
	})
	f := &fixture{store: mongostore.New(db), inv: inventorydouble.New("svc-token"), db: db}
	if err := f.store.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case f.down.Load():
			http.Error(w, "down", http.StatusServiceUnavailable)
		case f.isFailing(r.URL.Path):
			http.Error(w, "failing", http.StatusServiceUnavailable)
		case f.slowReserve.Load() > 0 && r.URL.Path == "/internal/reservations":
			f.slowSeen.Add(1)
			defer f.slowDone.Add(1)
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			time.Sleep(time.Duration(f.slowReserve.Load()))
			late := r.Clone(context.Background())
			late.Body = io.NopCloser(bytes.NewReader(body))
			f.inv.ServeHTTP(w, late)
		case f.loseReserve.Load() && r.URL.Path == "/internal/reservations":
			f.inv.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "answer lost", http.StatusGatewayTimeout)
		default:
			f.inv.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f.client = productsclient.New(productsclient.Config{BaseURL: srv.URL, Token: "svc-token", Timeout: 5 * time.Second, Attempts: 3, Backoff: 5 * time.Millisecond})
	f.svc = ordering.NewService(ordering.Options{Store: f.store, Inventory: f.client, Topic: "shop.orders", Grace: grace})
	return f
}

// isFailing reports whether path names an order of f.failing
// (/internal/reservations/{orderId}[/release]).
func (f *fixture) isFailing(path string) bool {
	rest, ok := strings.CutPrefix(path, inventoryapi.PathReservations+"/")
	if !ok {
		return false
	}
	id, _, _ := strings.Cut(rest, "/")
	_, failing := f.failing.Load(id)
	return failing
}

func lines(ls ...ordering.LineInput) []*ordering.LineInput {
	out := make([]*ordering.LineInput, len(ls))
	for i := range ls {
		out[i] = &ls[i]
	}
	return out
}

// checkInvariant verifies, for every product, that the stock products
// holds equals the units of live (CONFIRMED) orders, and products' own
// initial == available + held.
func (f *fixture) checkInvariant(t *testing.T, products ...string) {
	t.Helper()
	if err := f.inv.CheckInvariant(); err != nil {
		t.Fatal(err)
	}
	all, err := f.svc.List(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]int{}
	for _, o := range all {
		if o.Status == ordering.StatusConfirmed {
			for _, l := range o.Lines {
				live[l.ProductID] += l.Quantity
			}
		}
	}
	for _, p := range products {
		if held := f.inv.Held(p); held != live[p] {
			t.Fatalf("product %s: products holds %d units, live orders have %d", p, held, live[p])
		}
	}
}

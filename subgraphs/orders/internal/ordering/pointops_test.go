package ordering_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

// commandLog records the database commands a client sends while on.
type commandLog struct {
	mu    sync.Mutex
	on    bool
	calls []call
}

// call is one command: its kind (find, insert, update, delete, ...), its
// collection and, for reads and writes that select documents, the filter.
type call struct {
	kind, coll string
	filters    []bson.Raw
}

func (c call) String() string {
	fs := make([]string, len(c.filters))
	for i, f := range c.filters {
		fs[i] = f.String()
	}
	return fmt.Sprintf("%s %s %s", c.kind, c.coll, strings.Join(fs, " "))
}

func (l *commandLog) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if !l.on {
			return
		}
		c := call{kind: e.CommandName}
		if v, err := e.Command.LookupErr(e.CommandName); err == nil {
			c.coll, _ = v.StringValueOK()
		}
		switch e.CommandName {
		case "find", "count", "distinct":
			f, _ := e.Command.Lookup("filter").DocumentOK()
			c.filters = append(c.filters, f)
		case "findAndModify":
			f, _ := e.Command.Lookup("query").DocumentOK()
			c.filters = append(c.filters, f)
		case "update", "delete":
			key := map[string]string{"update": "updates", "delete": "deletes"}[e.CommandName]
			stmts, _ := e.Command.Lookup(key).ArrayOK()
			vals, _ := stmts.Values()
			for _, v := range vals {
				f, _ := v.Document().Lookup("q").DocumentOK()
				c.filters = append(c.filters, f)
			}
		case "insert", "endSessions", "ping", "hello", "isMaster", "buildInfo", "getMore", "killCursors":
		default:
			// aggregate and anything else: no filter to check, so refuse.
			c.filters = append(c.filters, nil)
		}
		l.calls = append(l.calls, c)
	}}
}

// record runs fn with recording on and returns the calls it made.
func (l *commandLog) record(fn func()) []call {
	l.mu.Lock()
	l.on, l.calls = true, nil
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.calls
}

// pointFilter reports whether f selects by _id alone with a plain value:
// the only filter the embedded store answers without reading every
// document of the collection.
func pointFilter(f bson.Raw) bool {
	els, err := f.Elements()
	if err != nil || len(els) != 1 || els[0].Key() != "_id" {
		return false
	}
	t := els[0].Value().Type
	return t != bson.TypeEmbeddedDocument && t != bson.TypeArray
}

// checkPointOps fails the test for every call that is not an insert or a
// single-key {_id} operation, and logs the calls by kind.
func checkPointOps(t *testing.T, what string, calls []call, allowed ...string) {
	t.Helper()
	kinds := map[string]int{}
	for _, c := range calls {
		kinds[c.kind+" "+c.coll]++
		if slices.Contains(allowed, c.kind+" "+c.coll) {
			continue
		}
		for _, f := range c.filters {
			if f == nil || !pointFilter(f) {
				t.Errorf("%s: %s is not a point operation", what, c)
			}
		}
	}
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		lines = append(lines, fmt.Sprintf("%d x %s", kinds[k], k))
	}
	t.Logf("%s: %d database calls: %s", what, len(calls), strings.Join(lines, ", "))
}

// TestOrderPathsUsePointOperations records every command the service
// sends while placing, confirming, rejecting, cancelling, reading and
// recovering orders: each one must be an insert or select by _id alone.
// Recovery may read its small work list whole.
func TestOrderPathsUsePointOperations(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	log := &commandLog{}
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(log.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureOn(t, 0, client, client.Database(testenv.Name("orders_points")))
	choc := f.inv.AddProduct(20, 10)

	var placed ordering.Order
	checkPointOps(t, "placeOrder (confirmed)", log.record(func() {
		placed, err = f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 2}))
		if err != nil || placed.Status != ordering.StatusConfirmed {
			t.Fatalf("place: %+v %v", placed, err)
		}
	}))
	for _, what := range []string{"placeOrder with idempotencyKey", "placeOrder retried with idempotencyKey"} {
		checkPointOps(t, what, log.record(func() {
			o, err := f.svc.PlaceWithKey(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 1}), "key-1")
			if err != nil || o.Status != ordering.StatusConfirmed {
				t.Fatalf("place with key: %+v %v", o, err)
			}
		}))
	}
	checkPointOps(t, "placeOrder (insufficient stock)", log.record(func() {
		if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 11})); err == nil {
			t.Fatal("oversized order placed")
		}
	}))
	checkPointOps(t, "order", log.record(func() {
		if _, err := f.svc.Get(ctx, alice, placed.ID); err != nil {
			t.Fatal(err)
		}
	}))
	checkPointOps(t, "orders (user)", log.record(func() {
		if list, err := f.svc.List(ctx, alice); err != nil || len(list) != 3 {
			t.Fatalf("list: %d %v", len(list), err)
		}
	}))
	checkPointOps(t, "User.orders", log.record(func() {
		if hist, err := f.svc.OrdersOfUsers(ctx, admin, []string{alice.UserID, bob.UserID}); err != nil || len(hist[alice.UserID]) != 3 {
			t.Fatalf("history: %v %v", hist, err)
		}
	}))
	checkPointOps(t, "Order entities", log.record(func() {
		if got, err := f.svc.OrdersByID(ctx, alice, []string{placed.ID, "65a0000000000000000000ff"}); err != nil || len(got) != 1 {
			t.Fatalf("by id: %v %v", got, err)
		}
	}))
	checkPointOps(t, "cancelOrder", log.record(func() {
		if got, err := f.svc.Cancel(ctx, alice, placed.ID); err != nil || got.Status != ordering.StatusCancelled {
			t.Fatalf("cancel: %+v %v", got, err)
		}
	}))
	f.down.Store(true)
	checkPointOps(t, "placeOrder (products down)", log.record(func() {
		if _, err := f.svc.Place(ctx, alice, lines(ordering.LineInput{ProductID: choc, Quantity: 1})); err == nil {
			t.Fatal("placed while products is down")
		}
	}))
	f.down.Store(false)
	// A crashed request: a PENDING order for recovery to settle.
	o := ordering.Order{ID: "65a0000000000000000000a1", UserID: alice.UserID, Lines: []ordering.Line{{ProductID: choc, Quantity: 1}}, Status: ordering.StatusPending, CreatedAt: time.Now().UTC()}
	if err := f.store.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	checkPointOps(t, "recovery", log.record(func() {
		if rep, err := f.svc.Recover(ctx); err != nil || rep.Rejected != 1 || rep.Released != 1 {
			t.Fatalf("recover: %+v %v", rep, err)
		}
	}), "find "+mongostore.WorkCollection)
	f.checkInvariant(t, choc)
}

package mongostore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
)

// filterRecorder watches every command a client sends and records the
// reads, updates and deletes whose filter is not a point filter: exactly
// one key, `_id`, compared for equality with a plain value. Those are the
// only filters the embedded store pushes down to its index; any other
// filter (several keys, an operator such as $in, a sort) makes it decode
// every document of the collection.
type filterRecorder struct {
	mu      sync.Mutex
	on      bool
	counts  map[string]int
	offense []string
}

func newFilterRecorder() *filterRecorder { return &filterRecorder{counts: map[string]int{}} }

func (r *filterRecorder) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if !r.on {
			return
		}
		r.counts[e.CommandName]++
		coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
		check := func(what string, filter bson.Raw) {
			if !isPointFilter(filter) {
				r.offense = append(r.offense, fmt.Sprintf("%s %s on %s: %s", e.CommandName, what, coll, filter))
			}
		}
		switch e.CommandName {
		case "find":
			if f, ok := e.Command.Lookup("filter").DocumentOK(); ok {
				check("filter", f)
			} else {
				check("filter", nil)
			}
			if s, ok := e.Command.Lookup("sort").DocumentOK(); ok && len(mustElements(s)) > 0 {
				r.offense = append(r.offense, fmt.Sprintf("find sort on %s: %s", coll, s))
			}
		case "update", "delete":
			list := "updates"
			if e.CommandName == "delete" {
				list = "deletes"
			}
			arr, _ := e.Command.Lookup(list).ArrayOK()
			vals, _ := arr.Values()
			for _, v := range vals {
				stmt, _ := v.DocumentOK()
				q, _ := stmt.Lookup("q").DocumentOK()
				check("q", q)
			}
		case "findAndModify":
			q, _ := e.Command.Lookup("query").DocumentOK()
			check("query", q)
		case "aggregate", "count", "distinct", "getMore":
			r.offense = append(r.offense, fmt.Sprintf("%s on %s", e.CommandName, coll))
		}
	}}
}

// isPointFilter reports whether filter is {_id: <plain value>}.
func isPointFilter(filter bson.Raw) bool {
	elems, err := filter.Elements()
	if err != nil || len(elems) != 1 || elems[0].Key() != "_id" {
		return false
	}
	v := elems[0].Value()
	return v.Type != bson.TypeEmbeddedDocument && v.Type != bson.TypeArray
}

// record starts recording; the returned function stops and returns the
// offending commands and the count of each command sent meanwhile.
func (r *filterRecorder) record() func() ([]string, map[string]int) {
	r.mu.Lock()
	r.on, r.offense, r.counts = true, nil, map[string]int{}
	r.mu.Unlock()
	return func() ([]string, map[string]int) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.on = false
		return r.offense, r.counts
	}
}

// assertPointOps fails the test for every non-point command recorded.
func assertPointOps(t *testing.T, what string, offense []string) {
	t.Helper()
	if len(offense) > 0 {
		t.Fatalf("%s sent %d commands that are not point operations by _id:\n%s", what, len(offense), strings.Join(offense, "\n"))
	}
}

// monitoredStore returns a store over a fresh database whose client
// reports every command to a filter recorder.
func monitoredStore(t *testing.T, name string) (*mongostore.Store, *filterRecorder) {
	t.Helper()
	env := testenv.Get(t)
	rec := newFilterRecorder()
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(rec.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	store := mongostore.New(client.Database(testenv.Name(name)), "t")
	if err := store.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return store, rec
}

func mustElements(d bson.Raw) []bson.RawElement {
	elems, _ := d.Elements()
	return elems
}

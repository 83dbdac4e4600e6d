package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
)

// Recorder watches every command a client sends and records the
// reads, updates and deletes whose filter is not a point filter: exactly
// one key, `_id`, compared for equality with a plain value. Those are the
// only filters the embedded store pushes down to its index; any other
// filter (several keys, an operator such as $in, a sort) makes it decode
// every document of the collection.
type Recorder struct {
	mu      sync.Mutex
	on      bool
	counts  map[string]int
	offense []string
}

// NewRecorder returns a Recorder that records nothing until Record.
func NewRecorder() *Recorder { return &Recorder{counts: map[string]int{}} }

// Monitor is the command monitor to give the client.
func (r *Recorder) Monitor() *event.CommandMonitor {
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

// Record starts recording; the returned function stops and returns the
// offending commands and the count of each command sent meanwhile.
func (r *Recorder) Record() func() ([]string, map[string]int) {
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

// AssertPointOps fails the test for every non-point command recorded.
func AssertPointOps(t testing.TB, what string, offense []string) {
	t.Helper()
	if len(offense) > 0 {
		t.Fatalf("%s sent %d commands that are not point operations by _id:\n%s", what, len(offense), strings.Join(offense, "\n"))
	}
}

func mustElements(d bson.Raw) []bson.RawElement {
	elems, _ := d.Elements()
	return elems
}

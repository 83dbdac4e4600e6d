package mongox

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
)

// FilterFunc receives the command name, the collection and the filter of
// every read, update and delete a monitored client sends (one call per
// statement of a bulk update or delete), and every insert command with a
// nil filter.
type FilterFunc func(command, collection string, filter bson.Raw)

// ConnectMonitored is Connect with every filter reported to fn. Tests use
// it to prove that a code path reads and writes only by _id: on the
// embedded store any other filter is evaluated over the whole collection.
func ConnectMonitored(ctx context.Context, uri, database string, fn FilterFunc) (*mongo.Client, *mongo.Database, error) {
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		reportFilters(e.CommandName, e.Command, fn)
	}}
	return connect(ctx, uri, database, mon)
}

func reportFilters(name string, cmd bson.Raw, fn FilterFunc) {
	coll, ok := cmd.Lookup(name).StringValueOK()
	if !ok {
		return
	}
	switch name {
	case "find", "count", "distinct":
		fn(name, coll, lookupDoc(cmd, "filter", "query"))
	case "findAndModify":
		fn(name, coll, lookupDoc(cmd, "query"))
	case "aggregate", "insert":
		fn(name, coll, nil)
	case "update", "delete":
		arr, ok := cmd.Lookup(name + "s").ArrayOK()
		if !ok {
			return
		}
		vals, err := arr.Values()
		if err != nil {
			return
		}
		for _, v := range vals {
			if d, ok := v.DocumentOK(); ok {
				fn(name, coll, lookupDoc(d, "q"))
			}
		}
	}
}

func lookupDoc(d bson.Raw, keys ...string) bson.Raw {
	for _, k := range keys {
		if v, ok := d.Lookup(k).DocumentOK(); ok {
			return v
		}
	}
	return bson.Raw{}
}

// IsPointFilter reports whether filter is {_id: <value>}: a single key,
// compared for equality with a plain value (not an operator document).
// That is the one filter the embedded store answers through an index; an
// aggregate (nil filter) is never one.
func IsPointFilter(filter bson.Raw) bool {
	if filter == nil {
		return false
	}
	elems, err := filter.Elements()
	if err != nil || len(elems) != 1 || elems[0].Key() != "_id" {
		return false
	}
	v := elems[0].Value()
	if d, ok := v.DocumentOK(); ok {
		if first, err := d.IndexErr(0); err == nil && len(first.Key()) > 0 && first.Key()[0] == '$' {
			return false
		}
	}
	return true
}

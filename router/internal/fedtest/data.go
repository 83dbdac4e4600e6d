package fedtest

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Obj is shorthand for the maps resolvers return.
type Obj = map[string]any

// Table is an entity type's rows in one subgraph, looked up by key fields.
type Table []Obj

// Lookup returns an EntityFunc that finds the row whose key fields equal the
// representation's (compared as JSON values; for a nested key only the
// selected subfields are compared), or nil.
func (t Table) Lookup(keys ...string) EntityFunc {
	return func(rep map[string]any) (map[string]any, error) {
		for _, row := range t {
			if matches(row, rep, keys) {
				return row, nil
			}
		}
		return nil, nil
	}
}

// Find returns the row whose field equals v, or nil.
func (t Table) Find(field string, v any) Obj {
	for _, row := range t {
		if sameJSON(row[field], v) {
			return row
		}
	}
	return nil
}

// All returns the rows as a list value.
func (t Table) All() []any {
	out := make([]any, len(t))
	for i, r := range t {
		out[i] = r
	}
	return out
}

func matches(row, rep Obj, keys []string) bool {
	for _, k := range keys {
		if _, ok := rep[k]; !ok {
			return false
		}
		if !covers(canon(row[k]), canon(rep[k])) {
			return false
		}
	}
	return true
}

// covers reports whether a row value matches a key value. Objects match when
// every key field the representation carries is equal (a nested key selects
// only some of the row's fields); everything else compares as JSON.
func covers(row, key any) bool {
	km, ok := key.(map[string]any)
	if !ok {
		return reflect.DeepEqual(row, key)
	}
	rm, ok := row.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range km {
		if !covers(rm[k], v) {
			return false
		}
	}
	return true
}

// sameJSON compares two values after a JSON round trip, so that int 1 and
// json.Number "1" are equal and nested maps compare by content.
func sameJSON(a, b any) bool {
	return reflect.DeepEqual(canon(a), canon(b))
}

func canon(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return string(b)
	}
	return out
}

// Arg returns args[name] as a string (fmt.Sprint of the value), "" if absent.
func Arg(args map[string]any, name string) string {
	v, ok := args[name]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Num returns a representation or argument value as float64 (0 if absent or
// not numeric), for @requires computations.
func Num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case json.Number:
		f, _ := n.Float64()
		return f
	}
	return 0
}

// Const wraps a value as a FieldFunc ignoring arguments; handy for fields
// that take arguments but return fixed data.
func Const(v any) FieldFunc {
	return func(map[string]any) (any, error) { return v, nil }
}

// Merge returns a copy of base with the fields of over set on top.
func Merge(base, over Obj) Obj {
	out := Obj{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// Need returns an error unless the representation carries every named field:
// entity resolvers for @requires fields use it so that a router that forgets
// to send required data gets a visible error rather than a silent default.
func Need(rep map[string]any, fields ...string) error {
	for _, f := range fields {
		if _, ok := rep[f]; !ok {
			return fmt.Errorf("representation of %v lacks required field %q", rep["__typename"], f)
		}
	}
	return nil
}

// errorWithCode builds a resolver error carrying extensions.code, the way
// real subgraphs report domain errors.
func errorWithCode(msg, code string) error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

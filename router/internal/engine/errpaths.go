package engine

import (
	"bytes"
	"encoding/json"
	"strings"
)

// nonNullPrefix starts the errors the resolver adds when a non-nullable
// field resolves to null.
const nonNullPrefix = "Cannot return null for non-nullable field"

type responseEnvelope struct {
	Errors     []json.RawMessage `json:"errors,omitempty"`
	Data       json.RawMessage   `json:"data,omitempty"`
	Extensions json.RawMessage   `json:"extensions,omitempty"`
}

// fixErrorPaths post-processes a response with errors, as Apollo's gateway
// reports them:
//   - a non-null violation caused by a subgraph error is not reported twice;
//   - subgraph errors from entity fetches get the list indices that
//     graphql-go-tools drops when it maps "_entities" paths back to the
//     response, taken from the violations they caused or, failing that, from
//     the null values in the data.
//
// It rewrites buf in place and leaves it untouched when it cannot parse it.
func fixErrorPaths(buf *bytes.Buffer) {
	var env responseEnvelope
	if err := json.Unmarshal(buf.Bytes(), &env); err != nil || len(env.Errors) == 0 {
		return
	}
	type entry struct {
		raw       json.RawMessage
		path      []any
		violation bool
		drop      bool
	}
	entries := make([]*entry, len(env.Errors))
	var violations []*entry
	for i, raw := range env.Errors {
		var ep struct {
			Message string `json:"message"`
			Path    []any  `json:"path"`
		}
		_ = json.Unmarshal(raw, &ep)
		e := &entry{raw: raw, path: ep.Path, violation: strings.HasPrefix(ep.Message, nonNullPrefix)}
		entries[i] = e
		if e.violation {
			violations = append(violations, e)
		}
	}
	data, _ := decodeOrdered(env.Data)
	changed := false
	violationPaths := make([][]any, len(violations))
	for i, v := range violations {
		violationPaths[i] = v.path
	}
	for _, e := range entries {
		if e.violation || !hasMarker(e.path) {
			continue
		}
		e.path = resolveMarkers(e.path, data, violationPaths)
		if raw, ok := withPath(e.raw, e.path); ok {
			e.raw = raw
			changed = true
		}
	}
	var nulls [][]any
	collectNulls(data, nil, &nulls)
	claimed := map[string]bool{}
	for _, e := range entries {
		if e.violation || len(e.path) == 0 {
			continue
		}
		stripped := stripIndices(e.path)
		// The first violation this error caused lends its list indices;
		// failing that, the first null value under the error's path.
		var fixed []any
		for _, v := range violations {
			if claimed[pathKey(v.path)] || !hasPrefix(stripIndices(v.path), stripped) {
				continue
			}
			if f := withIndices(e.path, v.path); len(f) > len(e.path) {
				fixed = f
				claimed[pathKey(v.path)] = true
				break
			}
		}
		if fixed == nil && needsIndices(data, e.path) {
			for _, n := range nulls {
				if claimed[pathKey(n)] || !hasPrefix(stripIndices(n), stripped) {
					continue
				}
				if f := withIndices(e.path, n); len(f) > len(e.path) {
					fixed = f
					claimed[pathKey(n)] = true
					break
				}
			}
		}
		if fixed == nil {
			continue
		}
		if raw, ok := withPath(e.raw, fixed); ok {
			e.raw, e.path = raw, fixed
			changed = true
		}
	}
	// Violations a subgraph error already explains are not reported again.
	for _, v := range violations {
		vs := stripIndices(v.path)
		for _, e := range entries {
			if !e.violation && len(e.path) > 0 && hasPrefix(vs, stripIndices(e.path)) {
				v.drop = true
				changed = true
				break
			}
		}
	}
	if !changed {
		return
	}
	out := env
	out.Errors = out.Errors[:0]
	for _, e := range entries {
		if !e.drop {
			out.Errors = append(out.Errors, e.raw)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return
	}
	buf.Reset()
	buf.Write(b)
}

// marshalErrorOrdered re-encodes an error keeping message, path first.
func marshalErrorOrdered(m map[string]json.RawMessage) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	write := func(k string) {
		v, ok := m[k]
		if !ok {
			return
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
		delete(m, k)
	}
	for _, k := range []string{"message", "locations", "path", "extensions"} {
		write(k)
	}
	for k := range m {
		write(k)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func stripIndices(p []any) []string {
	out := make([]string, 0, len(p))
	for _, x := range p {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func hasPrefix(p, prefix []string) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}

func pathKey(p []any) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// needsIndices reports whether walking the path through data meets a list
// without an index in the path.
func needsIndices(data any, path []any) bool {
	cur := data
	for _, seg := range path {
		switch v := cur.(type) {
		case []any:
			if _, isIdx := seg.(float64); !isIdx {
				return true
			}
			i := int(seg.(float64))
			if i < 0 || i >= len(v) {
				return false
			}
			cur = v[i]
		case object:
			s, ok := seg.(string)
			if !ok {
				return false
			}
			cur = v.get(s)
		default:
			return false
		}
	}
	_, isList := cur.([]any)
	return isList
}

// withIndices builds the path of an error from its index-less path and a
// concrete path (with indices) that it must share as a prefix.
func withIndices(path []any, concrete []any) []any {
	want := stripIndices(path)
	out := make([]any, 0, len(concrete))
	matched := 0
	for _, seg := range concrete {
		if matched == len(want) {
			if _, isIdx := seg.(float64); isIdx {
				out = append(out, seg)
			}
			break
		}
		out = append(out, seg)
		if s, ok := seg.(string); ok {
			if s != want[matched] {
				return nil
			}
			matched++
		}
	}
	if matched != len(want) {
		return nil
	}
	return out
}

// collectNulls lists the paths of null values in data, in document order.
func collectNulls(v any, path []any, out *[][]any) {
	switch x := v.(type) {
	case nil:
		if path != nil {
			*out = append(*out, append([]any(nil), path...))
		}
	case []any:
		for i, e := range x {
			collectNulls(e, append(path, float64(i)), out)
		}
	case object:
		for _, kv := range x {
			collectNulls(kv.v, append(path, kv.k), out)
		}
	}
}

// object is a JSON object that keeps its key order.
type object []keyValue

type keyValue struct {
	k string
	v any
}

func (o object) get(k string) any {
	for _, kv := range o {
		if kv.k == k {
			return kv.v
		}
	}
	return nil
}

// decodeOrdered decodes JSON keeping object key order.
func decodeOrdered(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var o object
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, keyValue{k, v})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		}
	}
	return tok, nil
}

func hasMarker(path []any) bool {
	for _, seg := range path {
		if _, ok := markerIndex(seg); ok {
			return true
		}
	}
	return false
}

// withPath re-encodes an error with a new path.
func withPath(raw json.RawMessage, path []any) (json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false
	}
	p, err := json.Marshal(path)
	if err != nil {
		return nil, false
	}
	m["path"] = p
	out, err := marshalErrorOrdered(m)
	return out, err == nil
}

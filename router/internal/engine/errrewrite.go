package engine

import (
	"bytes"
	"encoding/json"
)

var errorsPrefix = []byte(`{"errors":[`)

// rewriteErrors gives the errors of a rendered response their client paths:
//   - the k-th error at ["_entities", i, ...] takes the k-th recorded entry,
//     one copy per path (see errpaths.go);
//   - a null the engine's value completion reports (an error carrying only a
//     message and a path) is dropped when a subgraph error at the same path or
//     above explains it, as Apollo's gateway reports it once.
//
// Only the errors array is decoded; the data is copied as it is. buf is left
// untouched when nothing changes or the errors cannot be read.
func rewriteErrors(buf *bytes.Buffer, entries [][][]any) {
	b := buf.Bytes()
	if !bytes.HasPrefix(b, errorsPrefix) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(b[len(errorsPrefix)-1:]))
	var raws []json.RawMessage
	if err := dec.Decode(&raws); err != nil {
		return
	}
	rest := b[len(errorsPrefix)-1+int(dec.InputOffset()):]

	var out []gqlError
	changed := false
	next := 0
	for _, raw := range raws {
		fields, ok := splitObject(raw)
		if !ok {
			return
		}
		e := gqlError{fields: fields}
		pathAt := -1
		for i, f := range fields {
			if f.key == "path" {
				pathAt = i
				_ = json.Unmarshal(f.value, &e.path)
			}
		}
		e.completion = len(fields) == 2 && fields[0].key == "message" && pathAt == 1
		if len(e.path) < 2 || e.path[0] != "_entities" {
			out = append(out, e)
			continue
		}
		if _, isIdx := e.path[1].(float64); !isIdx {
			out = append(out, e)
			continue
		}
		changed = true
		paths := [][]any{e.path[2:]}
		if next < len(entries) {
			paths = entries[next]
		}
		next++
		for _, p := range paths {
			c := gqlError{fields: append([]field(nil), fields...), path: p}
			enc, err := json.Marshal(p)
			if err != nil {
				return
			}
			c.fields[pathAt].value = enc
			out = append(out, c)
		}
	}
	kept := out[:0]
	for _, c := range out {
		if c.completion && explained(c.path, out) {
			changed = true
			continue
		}
		kept = append(kept, c)
	}
	if !changed {
		return
	}
	var w bytes.Buffer
	w.Grow(len(b))
	w.Write(errorsPrefix)
	for i, e := range kept {
		if i > 0 {
			w.WriteByte(',')
		}
		writeObject(&w, e.fields)
	}
	w.WriteByte(']')
	w.Write(rest)
	buf.Reset()
	buf.Write(w.Bytes())
}

type gqlError struct {
	fields     []field
	path       []any
	completion bool
}

// explained reports whether an error other than a value-completion one has
// a non-empty path that is a prefix of path.
func explained(path []any, errs []gqlError) bool {
	for _, e := range errs {
		if e.completion || len(e.path) == 0 || len(e.path) > len(path) {
			continue
		}
		same := true
		for i := range e.path {
			if !sameSegment(e.path[i], path[i]) {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

func sameSegment(a, b any) bool {
	return segment(a) == segment(b)
}

// segment normalizes a path segment: indices recorded by the router are
// ints, decoded ones float64.
func segment(s any) any {
	if i, ok := s.(int); ok {
		return float64(i)
	}
	return s
}

type field struct {
	key   string
	value json.RawMessage
}

// splitObject returns the members of a JSON object in document order.
func splitObject(raw json.RawMessage) ([]field, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var fields []field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		k, ok := t.(string)
		if !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		fields = append(fields, field{k, v})
	}
	return fields, true
}

func writeObject(w *bytes.Buffer, fields []field) {
	w.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		w.Write(k)
		w.WriteByte(':')
		w.Write(f.value)
	}
	w.WriteByte('}')
}

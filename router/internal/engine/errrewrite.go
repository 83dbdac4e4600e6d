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
	raws, end := splitArray(b, len(errorsPrefix)-1)
	if end < 0 {
		return
	}
	rest := b[end:]

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
			if string(f.key) == `"path"` {
				pathAt = i
				_ = json.Unmarshal(f.value, &e.path)
			}
		}
		e.completion = len(fields) == 2 && string(fields[0].key) == `"message"` && pathAt == 1
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
	var head bytes.Buffer
	head.Write(errorsPrefix)
	for i, e := range kept {
		if i > 0 {
			head.WriteByte(',')
		}
		writeObject(&head, e.fields)
	}
	head.WriteByte(']')
	splice(buf, head.Bytes(), len(b)-len(rest))
}

// splice replaces the first n bytes of buf with head, moving the rest in
// place rather than copying the (possibly large) data to a new buffer.
func splice(buf *bytes.Buffer, head []byte, n int) {
	total := buf.Len()
	if grow := len(head) - n; grow > 0 {
		buf.Write(head[:grow]) // extend; the bytes are overwritten below
	}
	b := buf.Bytes()
	copy(b[len(head):], b[n:total])
	copy(b, head)
	buf.Truncate(len(head) + total - n)
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

// field is a member of a JSON object: its key as written (quoted) and its
// value.
type field struct {
	key   []byte
	value []byte
}

// The engine writes valid, compact JSON; these scanners only find value
// boundaries in it, so that the errors array is read without decoding (or
// copying) the data that follows it. Each returns -1 on malformed input.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just after the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = stringEnd(b, j); j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
	scan:
		for ; j < len(b); j++ {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				break scan
			}
		}
		if j == i {
			return -1
		}
		return j
	}
}

// stringEnd returns the index just after the string starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// splitArray returns the elements of the array starting at b[i] and the
// index just after it.
func splitArray(b []byte, i int) ([][]byte, int) {
	if i >= len(b) || b[i] != '[' {
		return nil, -1
	}
	var out [][]byte
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return out, i + 1
	}
	for {
		e := valueEnd(b, i)
		if e < 0 {
			return nil, -1
		}
		out = append(out, b[i:e])
		i = skipSpace(b, e)
		if i >= len(b) {
			return nil, -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return out, i + 1
		default:
			return nil, -1
		}
	}
}

// splitObject returns the members of a JSON object in document order.
func splitObject(raw []byte) ([]field, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	fields := make([]field, 0, 4)
	i := skipSpace(raw, 1)
	if i < len(raw) && raw[i] == '}' {
		return fields, true
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return nil, false
		}
		k := stringEnd(raw, i)
		if k < 0 {
			return nil, false
		}
		key := raw[i:k]
		i = skipSpace(raw, k)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		e := valueEnd(raw, i)
		if e < 0 {
			return nil, false
		}
		fields = append(fields, field{key: key, value: raw[i:e]})
		i = skipSpace(raw, e)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return fields, true
		default:
			return nil, false
		}
	}
}

func writeObject(w *bytes.Buffer, fields []field) {
	w.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(f.key)
		w.WriteByte(':')
		w.Write(f.value)
	}
	w.WriteByte('}')
}

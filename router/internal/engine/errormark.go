package engine

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// errorIndexMarker prefixes a path segment that records the entity index a
// subgraph reported an error at. graphql-go-tools drops that index when it
// maps "_entities" paths onto the client response; the marker survives the
// mapping, and fixErrorPaths turns it back into the list index of the
// client response (or removes it where the path kept its index).
const errorIndexMarker = "\x1f#"

// errorMarkTransport marks the list index of every subgraph error whose path
// starts with a root field and an index (["_entities", 2, ...]).
type errorMarkTransport struct {
	next http.RoundTripper
	bufs bufferPools
}

// bufferPools pools response buffers by size class (powers of two), so a
// small buffer is never handed a large response and regrown every time.
type bufferPools [maxPoolClass + 1]sync.Pool

const (
	minPoolClass = 10 // 1 KiB
	maxPoolClass = 22 // 4 MiB; larger buffers are left to the GC
)

// class returns the smallest size class holding n bytes plus the slack
// bytes.Buffer.ReadFrom wants before it detects EOF.
func class(n int64) int {
	c := minPoolClass
	for c < maxPoolClass && int64(1)<<c < n+bytes.MinRead {
		c++
	}
	return c
}

func (p *bufferPools) get(contentLength int64) (*bytes.Buffer, int) {
	if contentLength < 0 {
		contentLength = 32 << 10
	}
	c := class(contentLength)
	if b, ok := p[c].Get().(*bytes.Buffer); ok {
		b.Reset()
		return b, c
	}
	return bytes.NewBuffer(make([]byte, 0, 1<<c)), c
}

func (p *bufferPools) put(b *bytes.Buffer) {
	if b.Cap() > 1<<maxPoolClass {
		return
	}
	// File the buffer under the largest class it can fully serve.
	c := minPoolClass
	for c < maxPoolClass && 1<<(c+1) <= b.Cap() {
		c++
	}
	if 1<<c <= b.Cap() {
		p[c].Put(b)
	}
}

// RoundTrip buffers the response and marks its error indices.
func (t *errorMarkTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	buf, _ := t.bufs.get(resp.ContentLength)
	_, err = buf.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.bufs.put(buf)
		return nil, err
	}
	if bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		if out, ok := markErrorIndices(buf.Bytes()); ok {
			buf.Reset()
			buf.Write(out)
		}
	}
	resp.Body = &pooledBody{Reader: bytes.NewReader(buf.Bytes()), buf: buf, pools: &t.bufs}
	resp.ContentLength = int64(buf.Len())
	resp.Header.Del("Content-Length")
	return resp, nil
}

// pooledBody returns its buffer to the pool once the reader is closed.
type pooledBody struct {
	*bytes.Reader
	buf   *bytes.Buffer
	pools *bufferPools
	once  sync.Once
}

// Read reports io.EOF together with the last bytes, as a network body with
// a known length does: bytes.Buffer.ReadFrom would otherwise grow its buffer
// once more just to learn that nothing is left.
func (b *pooledBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == nil && b.Len() == 0 {
		err = io.EOF
	}
	return n, err
}

// Close returns the buffer to its pool once.
func (b *pooledBody) Close() error {
	b.once.Do(func() { b.pools.put(b.buf) })
	return nil
}

// markErrorIndices inserts a marker after the index of each error path of
// the form [field, index, ...]. It reports false when nothing changed.
func markErrorIndices(body []byte) ([]byte, bool) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || len(top["errors"]) == 0 {
		return nil, false
	}
	var errs []map[string]json.RawMessage
	if err := json.Unmarshal(top["errors"], &errs); err != nil {
		return nil, false
	}
	changed := false
	for _, e := range errs {
		var path []json.RawMessage
		if err := json.Unmarshal(e["path"], &path); err != nil || len(path) < 2 {
			continue
		}
		if len(path[0]) == 0 || path[0][0] != '"' {
			continue
		}
		idx, err := strconv.Atoi(string(path[1]))
		if err != nil {
			continue
		}
		marker, _ := json.Marshal(errorIndexMarker + strconv.Itoa(idx))
		path = append(path[:2], append([]json.RawMessage{marker}, path[2:]...)...)
		p, err := json.Marshal(path)
		if err != nil {
			continue
		}
		e["path"] = p
		changed = true
	}
	if !changed {
		return nil, false
	}
	b, err := json.Marshal(errs)
	if err != nil {
		return nil, false
	}
	top["errors"] = b
	out, err := json.Marshal(top)
	if err != nil {
		return nil, false
	}
	return out, true
}

// markerIndex returns the index a path segment marks.
func markerIndex(seg any) (int, bool) {
	s, ok := seg.(string)
	if !ok || !strings.HasPrefix(s, errorIndexMarker) {
		return 0, false
	}
	n, err := strconv.Atoi(s[len(errorIndexMarker):])
	return n, err == nil
}

// resolveMarkers rewrites a path holding an index marker. Where the marker
// follows a list index the path was kept as the subgraph sent it and the
// marker is just dropped. Otherwise the marker stands for the n-th entity
// of the fetch: the n-th object under the path prefix in the response data,
// or, when the data was nulled, the n-th list element.
func resolveMarkers(path []any, data any, violations [][]any) []any {
	for k, seg := range path {
		n, ok := markerIndex(seg)
		if !ok {
			continue
		}
		prefix, rest := path[:k], path[k+1:]
		if k > 0 {
			if _, isIdx := path[k-1].(float64); isIdx {
				return append(append([]any{}, prefix...), rest...)
			}
		}
		if items := objectPaths(data, stripIndices(prefix)); n < len(items) {
			return append(append([]any{}, items[n]...), rest...)
		}
		list := n > 0
		for _, v := range violations {
			if f := withIndices(prefix, v); len(f) > len(prefix) {
				list = true
				break
			}
		}
		out := append([]any{}, prefix...)
		if list {
			out = append(out, float64(n))
		}
		return append(out, rest...)
	}
	return path
}

// objectPaths lists, in document order, the paths of the non-null objects
// reached by following field names from the root, expanding every list.
func objectPaths(data any, fields []string) [][]any {
	var out [][]any
	var walk func(v any, path []any, i int)
	walk = func(v any, path []any, i int) {
		switch x := v.(type) {
		case []any:
			for j, e := range x {
				walk(e, append(append([]any{}, path...), float64(j)), i)
			}
		case object:
			if i == len(fields) {
				out = append(out, path)
				return
			}
			walk(x.get(fields[i]), append(append([]any{}, path...), fields[i]), i+1)
		}
	}
	walk(data, nil, 0)
	return out
}

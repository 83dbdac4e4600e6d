package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// benchHarness is the shared gateway benchmark (supergraph and query).
const benchHarness = "/work/shared/bench"

// memorySubgraphs answers the enginetest supergraph's subgraph requests from
// memory, so that benchmarks measure the engine (request rendering, JSON
// parsing, entity merging, response writing) and not sockets: subgraph "a"
// lists n products, subgraph "b" resolves every representation it is sent.
// Answers are built once per distinct request body.
type memorySubgraphs struct {
	n     int
	mu    sync.Mutex
	cache map[string][]byte
}

// RoundTrip serves one subgraph request.
func (m *memorySubgraphs) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	_ = r.Body.Close()
	m.mu.Lock()
	out, ok := m.cache[string(body)]
	if !ok {
		out, err = m.answer(body)
		if err != nil {
			m.mu.Unlock()
			return nil, err
		}
		m.cache[string(body)] = out
	}
	m.mu.Unlock()
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
		Request:       r,
	}, nil
}

func (m *memorySubgraphs) answer(body []byte) ([]byte, error) {
	var req struct {
		Query     string `json:"query"`
		Variables struct {
			Representations []map[string]any `json:"representations"`
		} `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("memory subgraph: %w", err)
	}
	var b strings.Builder
	switch {
	case strings.Contains(req.Query, "_entities"):
		b.WriteString(`{"data":{"_entities":[`)
		for i, rep := range req.Variables.Representations {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"__typename":"Product","price":%d}`, len(fmt.Sprint(rep["id"]))*10+i)
		}
		b.WriteString(`]}}`)
	case strings.Contains(req.Query, "products"):
		b.WriteString(`{"data":{"products":[`)
		for i := 0; i < m.n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"__typename":"Product","id":"%d","name":"product \"%d\" with a longer name"}`, i, i)
		}
		b.WriteString(`]}}`)
	default:
		return nil, fmt.Errorf("memory subgraph: unexpected query %q", req.Query)
	}
	return []byte(b.String()), nil
}

func newMemoryEngine(b *testing.B, n int) *Engine {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	mem := &memorySubgraphs{n: n, cache: map[string][]byte{}}
	e, err := New(ctx, Options{
		SupergraphSDL:        enginetest.Supergraph,
		DisableDeduplication: true,
		MultiFetch:           true,
		HTTP: HTTPOptions{WrapTransport: func(http.RoundTripper) http.RoundTripper {
			return mem
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func benchExecute(b *testing.B, e *Engine, query string) {
	b.Helper()
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := e.Execute(context.Background(), &Request{Query: query}, nil, &buf, ExecOptions{}); err != nil {
			b.Fatal(err)
		}
		if i == 0 && bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
			b.Fatalf("response has errors: %s", buf.Bytes())
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkEntityBatchMerge measures one root fetch of n products followed
// by one batched entity fetch for their prices: rendering n
// representations, parsing the batch answer and merging it into n objects.
func BenchmarkEntityBatchMerge(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			benchExecute(b, newMemoryEngine(b, n), `{ products { id name price } }`)
		})
	}
}

// BenchmarkResponseWriter measures a single-fetch operation with a large
// answer, dominated by parsing the subgraph JSON and writing the client
// response; and the error-path post-processing of a response with errors.
func BenchmarkResponseWriter(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			benchExecute(b, newMemoryEngine(b, n), `{ products { id name } }`)
		})
	}
	b.Run("fix-error-paths", func(b *testing.B) {
		resp := []byte(`{"errors":[{"message":"boom","path":["_entities",1,"price"],"extensions":{"code":"X"}},` +
			`{"message":"Cannot return null for non-nullable field Product.price.","path":["products",1,"price"]}],` +
			`"data":{"products":[{"id":"1","price":1},null,{"id":"3","price":3}]}}`)
		entries := [][][]any{{{"products", 1, "price"}}}
		var buf bytes.Buffer
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf.Reset()
			buf.Write(resp)
			rewriteErrors(&buf, entries)
		}
	})
}

// BenchmarkPlanner measures what an operation-cache miss costs on the
// gateway benchmark's supergraph and query: parse, normalize and validate
// ("prepare"), and query planning with postprocessing ("plan").
func BenchmarkPlanner(b *testing.B) {
	sdl, err := os.ReadFile(filepath.Join(benchHarness, "gateways", "supergraph.graphql"))
	if err != nil {
		b.Skipf("benchmark harness not present: %v", err)
	}
	query, err := os.ReadFile(filepath.Join(benchHarness, "load", "query.graphql"))
	if err != nil {
		b.Skipf("benchmark harness not present: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := New(ctx, Options{SupergraphSDL: string(sdl)})
	if err != nil {
		b.Fatal(err)
	}
	req := func() *Request { return &Request{Query: string(query), Variables: emptyObjectJSON} }
	b.Run("prepare", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			n, _ := e.normalizeSafely(req(), nil)
			if p := e.bind(n, emptyObjectJSON); p.err != nil {
				b.Fatal(p.err)
			}
		}
	})
	b.Run("plan", func(b *testing.B) {
		n, _ := e.normalizeSafely(req(), nil)
		p := e.bind(n, emptyObjectJSON)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if cp := e.buildPlan(p, "", false); cp.err != nil {
				b.Fatal(cp.err)
			}
		}
	})
	b.Run("cache-hit", func(b *testing.B) {
		r := req()
		_ = e.planFor(e.prepare(r), "")
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if cp := e.planFor(e.prepare(r), ""); cp.err != nil {
				b.Fatal(cp.err)
			}
		}
	})
}

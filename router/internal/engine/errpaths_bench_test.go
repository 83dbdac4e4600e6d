package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// BenchmarkEntityErrorResponse resolves `{ products { id name price } }`
// over HTTP subgraphs: n products from "a", their prices from "b" in one
// batch. With fail set, b reports an error for one product (and returns
// null for it), so the response carries one error beside ~116 KB of data.
func BenchmarkEntityErrorResponse(b *testing.B) {
	const n = 1650
	for _, tc := range []struct{ name, fail string }{{"no-error", ""}, {"one-error", "800"}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(benchSubgraphs(n, tc.fail))
			b.Cleanup(srv.Close)
			ctx, cancel := context.WithCancel(context.Background())
			b.Cleanup(cancel)
			e, err := New(ctx, Options{
				SupergraphSDL:        enginetest.Supergraph,
				SubgraphURLs:         map[string]string{"a": srv.URL + "/a", "b": srv.URL + "/b"},
				DisableDeduplication: true,
			})
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := e.Execute(ctx, &Request{Query: `{ products { id name price } }`}, nil, &buf, ExecOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			hasErr := bytes.Contains(buf.Bytes(), []byte(`"errors"`))
			if hasErr != (tc.fail != "") {
				b.Fatalf("errors in response: %v, want %v", hasErr, tc.fail != "")
			}
			if tc.fail != "" && !bytes.Contains(buf.Bytes(), []byte(`"path":["products",800,"price"]`)) {
				b.Fatalf("error path not mapped: %.300s", buf.Bytes())
			}
			b.ReportMetric(float64(buf.Len()), "resp-bytes")
		})
	}
}

// BenchmarkEntityErrorRewrite measures the response post-processing alone
// on the engine's output for BenchmarkEntityErrorResponse/one-error (the
// error still at its _entities path): what is left of the old fix-up.
func BenchmarkEntityErrorRewrite(b *testing.B) {
	srv := httptest.NewServer(benchSubgraphs(1650, "800"))
	b.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	e, err := New(ctx, Options{SupergraphSDL: enginetest.Supergraph, SubgraphURLs: map[string]string{"a": srv.URL + "/a", "b": srv.URL + "/b"}})
	if err != nil {
		b.Fatal(err)
	}
	var want bytes.Buffer
	if err := e.Execute(ctx, &Request{Query: `{ products { id name price } }`}, nil, &want, ExecOptions{}); err != nil {
		b.Fatal(err)
	}
	raw := bytes.Replace(want.Bytes(), []byte(`"path":["products",800,"price"]`), []byte(`"path":["_entities",800,"price"]`), 1)
	entries := [][][]any{{{"products", 800, "price"}}}
	var out bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out.Reset()
		out.Write(raw)
		rewriteErrors(&out, entries)
	}
	b.StopTimer()
	if !bytes.Equal(out.Bytes(), want.Bytes()) {
		b.Fatalf("rewrite differs: %.200s", out.Bytes())
	}
}

// benchSubgraphs serves subgraph "a" at /a (n products) and "b" at /b
// (prices; the representation with id fail gets null and an error).
func benchSubgraphs(n int, fail string) http.Handler {
	var products strings.Builder
	products.WriteString(`{"data":{"products":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			products.WriteByte(',')
		}
		fmt.Fprintf(&products, `{"__typename":"Product","id":"%d","name":"product \"%d\" with a longer name"}`, i, i)
	}
	products.WriteString(`]}}`)
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(products.String()))
	})
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables struct {
				Representations []map[string]any `json:"representations"`
			} `json:"variables"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		var out strings.Builder
		out.WriteString(`{"data":{"_entities":[`)
		failAt := -1
		for i, rep := range req.Variables.Representations {
			if i > 0 {
				out.WriteByte(',')
			}
			if rep["id"] == fail {
				failAt = i
				out.WriteString(`null`)
				continue
			}
			fmt.Fprintf(&out, `{"__typename":"Product","price":%d}`, i)
		}
		out.WriteString(`]}`)
		if failAt >= 0 {
			fmt.Fprintf(&out, `,"errors":[{"message":"price unavailable","path":["_entities",%d,"price"],"extensions":{"code":"PRICE_UNAVAILABLE"}}]`, failAt)
		}
		out.WriteString(`}`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(out.String()))
	})
	return mux
}

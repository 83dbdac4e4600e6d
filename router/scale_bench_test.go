package router_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/compose"
	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/engine"
)

// supergraphSizes are the "how cost grows" points of issue 11.
var supergraphSizes = []int{10, 100, 500}

// synthSupergraph composes, with our own compose library, a supergraph of
// n entity types spread over max(2, n/20) subgraphs. Type Ti belongs to
// subgraph i mod S (fields f1, f2, next: Ti+1, root field ti), and the
// subgraph of Ti-1 contributes Ti.ext, so every type spans two subgraphs
// and a query that follows next crosses subgraphs at each step, as in a
// real graph where ownership is spread out.
func synthSupergraph(n int) (string, error) {
	s := max(2, n/20)
	if n%s != 0 {
		return "", fmt.Errorf("types %d must be a multiple of subgraphs %d", n, s)
	}
	var sources []compose.Source
	for g := range s {
		var b strings.Builder
		b.WriteString("extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [\"@key\"])\n\ntype Query {\n")
		for i := g; i < n; i += s {
			fmt.Fprintf(&b, "  t%d(id: ID!): T%d\n", i, i)
		}
		b.WriteString("}\n")
		for i := g; i < n; i += s {
			next := (i + 1) % n
			fmt.Fprintf(&b, "\ntype T%d @key(fields: \"id\") {\n  id: ID!\n  f1: String\n  f2: Int\n  next: T%d\n}\n", i, next)
			fmt.Fprintf(&b, "\ntype T%d @key(fields: \"id\") {\n  id: ID!\n  ext: String\n}\n", next)
		}
		name := fmt.Sprintf("s%d", g)
		sources = append(sources, compose.Source{Name: name, URL: "http://" + name + ".invalid/graphql", SDL: b.String()})
	}
	return compose.Compose(sources)
}

// planQuery follows next twice from T0, touching three types and four
// subgraphs' fields whatever the supergraph's size, so differences in
// planning time come from the size of the graph, not of the query.
const planQuery = `query Plan { t0(id: "1") { id f1 f2 ext next { id f1 ext next { id f1 f2 ext } } } }`

// TestSynthSupergraphComposes keeps the generator honest: every size
// composes and the router plans the benchmark query across subgraphs.
func TestSynthSupergraphComposes(t *testing.T) {
	t.Parallel()
	for _, n := range supergraphSizes {
		sdl, err := synthSupergraph(n)
		if err != nil {
			t.Fatalf("%d types: %v", n, err)
		}
		eng, err := engine.New(t.Context(), engine.Options{SupergraphSDL: sdl})
		if err != nil {
			t.Fatalf("%d types: %v", n, err)
		}
		qp, err := eng.QueryPlan(&engine.Request{Query: planQuery})
		if err != nil {
			t.Fatalf("%d types: plan: %v", n, err)
		}
		got, err := json.Marshal(qp)
		if err != nil {
			t.Fatal(err)
		}
		if c := strings.Count(string(got), "_entities"); c < 2 {
			t.Errorf("%d types: want entity fetches across subgraphs, plan: %s", n, got)
		}
	}
}

// BenchmarkSupergraphSize measures, per supergraph size, the time to plan
// one query without the plan cache (ns/op), the time to load the
// supergraph into a router (load-ms) and the heap the loaded router keeps
// (heap-MB).
func BenchmarkSupergraphSize(b *testing.B) {
	for _, n := range supergraphSizes {
		b.Run(fmt.Sprintf("types=%d", n), func(b *testing.B) {
			sdl, err := synthSupergraph(n)
			if err != nil {
				b.Fatal(err)
			}
			loadMS, heapMB := measureLoad(b, sdl)
			eng, err := engine.New(b.Context(), engine.Options{SupergraphSDL: sdl})
			if err != nil {
				b.Fatal(err)
			}
			req := &engine.Request{Query: planQuery}
			if _, err := eng.QueryPlan(req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := eng.QueryPlan(req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(loadMS, "load-ms")
			b.ReportMetric(heapMB, "heap-MB")
		})
	}
}

// measureLoad builds a whole router (app.New, as the binary does) from
// sdl and returns how long that took and how much heap it retains.
func measureLoad(b *testing.B, sdl string) (ms, heapMB float64) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(sdl), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		b.Fatalf("load supergraph: %v", err)
	}
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(r)
	r.Close()
	return float64(elapsed.Microseconds()) / 1000, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}

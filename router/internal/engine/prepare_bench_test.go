package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// BenchmarkNewVariableValues measures preparing (and finding the plan of)
// one operation whose variable values differ on every request, as they do
// for most real traffic, against the same values every time: on the small
// test supergraph, and on the gateway benchmark's query with its
// topProducts argument made a variable.
func BenchmarkNewVariableValues(b *testing.B) {
	small := `query Product($id: ID!, $withPrice: Boolean!) { product(id: $id) { id name price @include(if: $withPrice) } }`
	b.Run("small", func(b *testing.B) {
		benchVariableValues(b, enginetest.Supergraph, small, func(i int) string {
			return `{"id":"` + strconv.Itoa(i) + `","withPrice":true}`
		})
	})
	sdl, err := os.ReadFile(filepath.Join(benchHarness, "gateways", "supergraph.graphql"))
	if err != nil {
		b.Skipf("benchmark harness not present: %v", err)
	}
	query, err := os.ReadFile(filepath.Join(benchHarness, "load", "query.graphql"))
	if err != nil {
		b.Skipf("benchmark harness not present: %v", err)
	}
	large := strings.Replace(strings.Replace(string(query), "query TestQuery {", "query TestQuery($first: Int) {", 1),
		"topProducts {", "topProducts(first: $first) {", 1)
	b.Run("bench-query", func(b *testing.B) {
		benchVariableValues(b, string(sdl), large, func(i int) string {
			return `{"first":` + strconv.Itoa(i%1000) + `}`
		})
	})
}

func benchVariableValues(b *testing.B, sdl, query string, vars func(i int) string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := New(ctx, Options{SupergraphSDL: sdl, OperationCacheSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("new-values", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if cp := e.planFor(e.prepare(&Request{Query: query, Variables: []byte(vars(i))}), ""); cp.err != nil {
				b.Fatal(cp.err)
			}
		}
	})
	b.Run("same-values", func(b *testing.B) {
		v := []byte(vars(1))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if cp := e.planFor(e.prepare(&Request{Query: query, Variables: v}), ""); cp.err != nil {
				b.Fatal(cp.err)
			}
		}
	})
}

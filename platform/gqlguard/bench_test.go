package gqlguard

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// BenchmarkGuard measures what one new document costs the guard (parse,
// limits, validation) with the default limits: the probe's 10,000
// `__typename` (refused) and documents built to make validation work hard
// within the limits (every response path selected the most times allowed).
func BenchmarkGuard(b *testing.B) {
	g := New(DefaultLimits())
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSDL})
	if err := g.Validate(&graphql.ExecutableSchemaMock{SchemaFunc: func() *ast.Schema { return schema }}); err != nil {
		b.Fatal(err)
	}
	chain := "products { " + strings.Repeat("related { ", 60) + "name" + strings.Repeat(" }", 61)
	var aliased strings.Builder
	for i := range 50 {
		fmt.Fprintf(&aliased, "a%d: products { %s } ", i, strings.Repeat("name id ", 20))
	}
	for _, bc := range []struct{ name, query string }{
		{"10000 typename", "{ " + strings.Repeat("__typename ", 10000) + "}"},
		{"20 chains 61 deep", "{ " + strings.Repeat(chain+" ", 20) + "}"},
		{"50 aliases x 40 repeated fields", "{ " + aliased.String() + "}"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := range b.N {
				// A fresh query each time: the cache would skip the work.
				params := &graphql.RawParams{Query: fmt.Sprintf("%s # %d", bc.query, i)}
				if err := g.MutateOperationParameters(context.Background(), params); (err != nil) != (bc.name == "10000 typename") {
					b.Fatalf("refusal %v", err)
				}
			}
		})
	}
}

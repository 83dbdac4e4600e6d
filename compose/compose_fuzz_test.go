package compose

import (
	"os"
	"testing"
)

// FuzzComposeSDL feeds arbitrary subgraph SDL to composition, alone and
// next to a valid subgraph: compose must report errors, never panic, and a
// supergraph it produces must compose the same way twice.
func FuzzComposeSDL(f *testing.F) {
	for _, p := range []string{
		"../subgraphs/users/graph/schema.graphqls",
		"../subgraphs/products/graph/schema.graphqls",
		"../subgraphs/orders/graph/schema.graphqls",
	} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add(``)
	f.Add(`type Query { a: Int }`)
	f.Add(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@requires", "@external", "@provides", "@override", "@inaccessible", "@interfaceObject"])
type Query { t: T }
type T @key(fields: "id") @key(fields: "a { b }") { id: ID! a: A x: Int @requires(fields: "y") y: Int @external }
type A { b: String }
interface I @key(fields: "id") { id: ID! }
union U = T`)
	f.Add(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type T @key(fields: "{{") { id: ID! }`)
	f.Add(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated", {name: "@requiresScopes", as: "@scopes"}, "@policy"])
type Query { t: T @scopes(scopes: [["a", "b"], ["c"]]) i: I }
interface I { x: Int }
type T implements I @key(fields: "id") @authenticated { id: ID! name: String @policy(policies: []) x: Int @scopes(scopes: [["x"]]) }`)
	f.Add(`type Query { a(x: [[[Int!]!]] = [[[1]]]): Int @deprecated(reason: """x""") } directive @d(a: Int) repeatable on FIELD_DEFINITION`)
	other := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { other: T }
type T @key(fields: "id") { id: ID! name: String }`
	f.Fuzz(func(t *testing.T, sdl string) {
		out, err := Compose([]Source{{Name: "fuzz", URL: "http://fuzz/graphql", SDL: sdl}})
		if err == nil && out == "" {
			t.Fatal("no error and no supergraph")
		}
		out1, err1 := Compose([]Source{{Name: "fuzz", URL: "http://fuzz/graphql", SDL: sdl}, {Name: "other", URL: "http://other/graphql", SDL: other}})
		out2, err2 := Compose([]Source{{Name: "other", URL: "http://other/graphql", SDL: other}, {Name: "fuzz", URL: "http://fuzz/graphql", SDL: sdl}})
		if (err1 == nil) != (err2 == nil) || out1 != out2 {
			t.Fatalf("composition depends on subgraph order: %v / %v", err1, err2)
		}
	})
}

package supergraph

import (
	"os"
	"testing"
)

// FuzzParse feeds arbitrary text to the supergraph reader: it must return a
// supergraph or an error, never panic, whatever a file on disk contains.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../../../supergraph.graphql"); err == nil {
		f.Add(string(b))
	}
	f.Add(``)
	f.Add(`type Query { a: Int }`)
	f.Add(`schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
scalar join__FieldSet
enum join__Graph { A @join__graph(name: "a", url: "http://a") B @join__graph(name: "b", url: "http://b") }
type Query @join__type(graph: A) @join__type(graph: B) { t: T @join__field(graph: A) }
type T @join__type(graph: A, key: "id") @join__type(graph: B, key: "id { x }") { id: ID! x: Int @join__field(graph: B, requires: "id") }`)
	f.Add(`schema @link(url: "https://specs.apollo.dev/join/v0.3") { query: Query } enum join__Graph { A @join__graph(name: "", url: "") } type Query @join__type(graph: Z, key: "{{{") { a: Int }`)
	f.Fuzz(func(t *testing.T, sdl string) {
		s, err := Parse(sdl)
		if err != nil {
			return
		}
		for _, g := range s.Graphs() {
			_ = g.Name
		}
	})
}

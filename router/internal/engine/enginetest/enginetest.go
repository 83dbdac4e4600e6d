// Package enginetest provides a small two-subgraph supergraph served by
// fedtest subgraphs, shared by the engine and server tests.
package enginetest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// Supergraph is a join v0.3 supergraph: subgraph "a" owns products, their
// names and a mutation; subgraph "b" adds prices, an @inaccessible cost and
// a whoami field echoing request headers.
const Supergraph = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
  mutation: Mutation
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

enum join__Graph {
  A @join__graph(name: "a", url: "http://a.invalid/graphql")
  B @join__graph(name: "b", url: "http://b.invalid/graphql")
}

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}

type Mutation @join__type(graph: A) {
  rename(id: ID!, name: String!): Product
}

type Product
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
{
  id: ID!
  name: String @join__field(graph: A)
  price: Int @join__field(graph: B)
  cost: Int @join__field(graph: B) @inaccessible
}

type Query
  @join__type(graph: A)
  @join__type(graph: B)
{
  products: [Product!]! @join__field(graph: A)
  product(id: ID!): Product @join__field(graph: A)
  whoami: String @join__field(graph: B)
}
`

const sdlA = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query {
  products: [Product!]!
  product(id: ID!): Product
}

type Mutation {
  rename(id: ID!, name: String!): Product
}

type Product @key(fields: "id") {
  id: ID!
  name: String
}
`

const sdlB = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@inaccessible"])

type Query {
  whoami: String
}

type Product @key(fields: "id") {
  id: ID!
  price: Int
  cost: Int @inaccessible
}
`

// Subgraphs are the running fixture subgraphs.
type Subgraphs struct {
	// URLs maps subgraph name to its endpoint.
	URLs map[string]string
	// A and B record the requests each subgraph received.
	A, B *fedtest.Subgraph
}

// Start serves subgraphs "a" and "b" for the duration of the test.
func Start(t testing.TB) *Subgraphs {
	t.Helper()
	var mu sync.Mutex
	names := map[string]string{"1": "chair", "2": "table"}
	products := fedtest.Table{{"id": "1"}, {"id": "2"}}
	prices := fedtest.Table{{"id": "1", "price": 40, "cost": 25}, {"id": "2", "price": 90, "cost": 60}}
	withName := func(row fedtest.Obj) fedtest.Obj {
		mu.Lock()
		defer mu.Unlock()
		return fedtest.Obj{"id": row["id"], "name": names[fmt.Sprint(row["id"])]}
	}
	a, err := fedtest.NewSubgraph("a", sdlA, fedtest.Resolvers{
		Root: map[string]map[string]any{
			"Query": {
				"products": fedtest.FieldFunc(func(map[string]any) (any, error) {
					out := []any{}
					for _, p := range products {
						out = append(out, withName(p))
					}
					return out, nil
				}),
				"product": fedtest.FieldFunc(func(args map[string]any) (any, error) {
					if p := products.Find("id", args["id"]); p != nil {
						return withName(p), nil
					}
					return nil, nil
				}),
			},
			"Mutation": {
				"rename": fedtest.FieldFunc(func(args map[string]any) (any, error) {
					mu.Lock()
					names[fmt.Sprint(args["id"])] = fmt.Sprint(args["name"])
					mu.Unlock()
					return withName(fedtest.Obj{"id": args["id"]}), nil
				}),
			},
		},
		Entities: map[string]fedtest.EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
			return withName(fedtest.Obj{"id": rep["id"]}), nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fedtest.NewSubgraph("b", sdlB, fedtest.Resolvers{
		Root: map[string]map[string]any{"Query": {
			"whoami": fedtest.HeaderFunc(func(_ map[string]any, h http.Header) (any, error) {
				var parts []string
				for _, k := range []string{"Authorization", "X-Api-Key", "X-Api-Token", "Cookie", "X-Custom"} {
					if v := h.Get(k); v != "" {
						parts = append(parts, k+"="+v)
					}
				}
				return strings.Join(parts, ";"), nil
			}),
		}},
		Entities: map[string]fedtest.EntityFunc{"Product": prices.Lookup("id")},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := &Subgraphs{URLs: map[string]string{}, A: a, B: b}
	for name, sg := range map[string]*fedtest.Subgraph{"a": a, "b": b} {
		srv := httptest.NewServer(sg)
		t.Cleanup(srv.Close)
		out.URLs[name] = srv.URL
	}
	return out
}

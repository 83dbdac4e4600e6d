package engine

import (
	"context"
	"strings"
	"testing"
)

// intSupergraph has Int arguments at every depth: top level, in lists, in
// lists of lists, in an input object and in one nested inside itself.
const intSupergraph = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import

enum join__Graph {
  A @join__graph(name: "a", url: "http://a.invalid/graphql")
}

enum link__Purpose {
  SECURITY
  EXECUTION
}

input Filter @join__type(graph: A) {
  min: Int
  range: [Int!]
  price: Float
  nested: Filter
}

type Query @join__type(graph: A) {
  items(first: Int, ids: [Int!], matrix: [[Int]], filter: Filter, filters: [Filter!]): [String] @join__field(graph: A)
}
`

func TestIntRange(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e, err := New(ctx, Options{SupergraphSDL: intSupergraph})
	if err != nil {
		t.Fatal(err)
	}
	const all = `query($first: Int, $ids: [Int!], $matrix: [[Int]], $filter: Filter, $filters: [Filter!]) { items(first: $first, ids: $ids, matrix: $matrix, filter: $filter, filters: $filters) }`
	cases := []struct {
		name, query, vars string
		code              string // "" means accepted
		message           string // part of the message
	}{
		{"literal within", `{ items(first: 2147483647) }`, ``, "", ""},
		{"negative literal within", `{ items(first: -2147483647) }`, ``, "", ""},
		{"literal over", `{ items(first: 2147483648) }`, ``, codeValidationFailed, "2147483648"},
		{"literal in a list", `{ items(ids: [1, 2147483648]) }`, ``, codeValidationFailed, "2147483648"},
		{"literal in an input object", `{ items(filter: {nested: {min: -2147483649}}) }`, ``, codeValidationFailed, "-2147483649"},
		{"variable within", all, `{"first": 2147483647, "ids": [-2147483648, 0], "filter": {"min": 5}}`, "", ""},
		{"variable over", all, `{"first": 2147483648}`, codeBadUserInput, `Variable "$first" got invalid value 2147483648; Int cannot represent non 32-bit signed integer value: 2147483648`},
		{"variable under", all, `{"first": -2147483649}`, codeBadUserInput, "non 32-bit"},
		{"huge variable", all, `{"first": 1e400}`, codeBadUserInput, "non 32-bit"},
		{"fraction", all, `{"first": 1.5}`, codeBadUserInput, "Int cannot represent non-integer value: 1.5"},
		{"whole numbers in other notations", all, `{"first": 1e3, "ids": [2.0, -0]}`, "", ""},
		{"whole number over in other notation", all, `{"first": 2147483648.0}`, codeBadUserInput, "non 32-bit"},
		{"in a list", all, `{"ids": [1, 2, 9999999999]}`, codeBadUserInput, `at "ids[2]"`},
		{"single value for a list", all, `{"ids": 9999999999}`, codeBadUserInput, "9999999999"},
		{"in a list of lists", all, `{"matrix": [[1], [null, 4294967296]]}`, codeBadUserInput, `at "matrix[1][1]"`},
		{"in an input object", all, `{"filter": {"min": 2147483648}}`, codeBadUserInput, `at "filter.min"`},
		{"in a list inside an input object", all, `{"filter": {"range": [0, 2147483648]}}`, codeBadUserInput, `at "filter.range[1]"`},
		{"in a nested input object", all, `{"filter": {"nested": {"nested": {"min": 2147483648}}}}`, codeBadUserInput, `at "filter.nested.nested.min"`},
		{"in a list of input objects", all, `{"filters": [{"min": 1}, {"min": 2147483648}]}`, codeBadUserInput, `at "filters[1].min"`},
		{"floats are not Ints", all, `{"filter": {"price": 1e20}}`, "", ""},
		{"nulls", all, `{"first": null, "ids": null, "filter": {"min": null, "nested": null}}`, "", ""},
		{"variable default", `query($first: Int = 2147483648) { items(first: $first) }`, ``, codeValidationFailed, "2147483648"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := e.prepare(&Request{Query: tc.query, Variables: []byte(tc.vars)})
			if tc.code == "" {
				if p.err != nil {
					t.Fatalf("refused: %v", p.err)
				}
				return
			}
			if p.err == nil {
				t.Fatalf("accepted, want %s (variables %s)", tc.code, p.variables)
			}
			ge := p.err.Errors[0]
			if ge.Extensions["code"] != tc.code || !strings.Contains(ge.Message, tc.message) {
				t.Fatalf("got %q %v, want %s with %q", ge.Message, ge.Extensions["code"], tc.code, tc.message)
			}
		})
	}
}

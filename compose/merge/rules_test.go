package merge

import (
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
)

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@inaccessible", "@interfaceObject"])` + "\n"

func compose(t *testing.T, sdls ...string) (string, []string) {
	t.Helper()
	var subs []*subgraph.Subgraph
	for i, sdl := range sdls {
		name := string(rune('a' + i))
		s, errs := subgraph.Parse(name, "http://"+name, link+sdl)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		subs = append(subs, s)
	}
	out, errs := Compose(subs)
	if len(errs) > 0 {
		return "", errs.Codes()
	}
	return supergraph.Print(out), nil
}

// TestMergeRules covers the rules added next to the merge proper: each
// case is refused with exactly the listed codes, or composes.
func TestMergeRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sdls []string
		want []string
	}{
		{"only hidden fields", []string{`type Query { a: Int t: T } type T { x: Int @inaccessible }`}, []string{"ONLY_INACCESSIBLE_CHILDREN"}},
		{"hidden required argument", []string{`type Query { a(x: Int! @inaccessible): Int }`}, []string{"REQUIRED_INACCESSIBLE"}},
		{"hidden optional argument", []string{`type Query { a(x: Int @inaccessible): Int }`}, nil},
		{"default names a hidden value", []string{`enum E { A B @inaccessible } type Query { a(e: E = B): Int }`}, []string{"DEFAULT_VALUE_USES_INACCESSIBLE"}},
		{"hidden implementation field", []string{`interface I { x: Int } type T implements I { x: Int @inaccessible y: Int } type Query { i: I }`}, []string{"IMPLEMENTED_BY_INACCESSIBLE"}},
		{"interface field nobody implements", []string{
			`interface I { id: ID! } type T implements I @key(fields: "id") { id: ID! } type Query { i: I }`,
			`interface I { id: ID! n: Int } type U implements I { id: ID! n: Int } type Query { j: I }`,
		}, []string{"INTERFACE_FIELD_NO_IMPLEM"}},
		{"external argument missing", []string{
			`type Query { p: P } type P @key(fields: "id") { id: ID! w(u: Int): Int }`,
			`type P @key(fields: "id") { id: ID! w: Int @external s: Int @requires(fields: "w") }`,
		}, []string{"EXTERNAL_ARGUMENT_MISSING"}},
		{"interface object field not shareable on implementation", []string{
			`type Query { m: M } interface M @key(fields: "id") { id: ID! t: Int } type B implements M @key(fields: "id") { id: ID! t: Int }`,
			`type M @key(fields: "id") @interfaceObject { id: ID! t: Int @shareable }`,
		}, []string{"INVALID_FIELD_SHARING"}},
		{"shareable subscription field", []string{`type Query { a: Int } type Subscription { s: Int @shareable }`}, []string{"INVALID_FIELD_SHARING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, codes := compose(t, tt.sdls...)
			if !slices.Equal(codes, tt.want) {
				t.Fatalf("codes %v, want %v", codes, tt.want)
			}
		})
	}
}

// TestExecutableDirectives checks which executable directive definitions
// reach the supergraph and how.
func TestExecutableDirectives(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sdls []string
		want string // a line of the supergraph, or "" for none
	}{
		{"shared locations", []string{`directive @d on QUERY | FIELD type Query { a: Int }`, `directive @d on FIELD type Query { b: Int }`}, "directive @d on FIELD"},
		{"repeatable only if everywhere", []string{`directive @d repeatable on QUERY type Query { a: Int }`, `directive @d on QUERY type Query { b: Int }`}, "directive @d on QUERY"},
		{"arguments kept", []string{`directive @d(n: Int = 1) repeatable on QUERY type Query { a: Int }`}, "directive @d(n: Int = 1) repeatable on QUERY"},
		{"missing in a subgraph", []string{`directive @d on QUERY type Query { a: Int }`, `type Query { b: Int }`}, ""},
		{"no common location", []string{`directive @d on QUERY type Query { a: Int }`, `directive @d on MUTATION type Query { b: Int }`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sdl, codes := compose(t, tt.sdls...)
			if codes != nil {
				t.Fatal(codes)
			}
			var got string
			for _, l := range strings.Split(sdl, "\n") {
				if strings.HasPrefix(l, "directive @d") {
					got = l
				}
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

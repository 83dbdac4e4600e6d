package subgraph

import (
	"strings"
	"testing"
)

func TestParseFederationNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sdl       string
		fed2      bool
		minor     int
		keys      int
		shareable bool
	}{
		{"fed1", `type Query { u: User } type User @key(fields: "id") { id: ID! name: String }`, false, 0, 1, true},
		{"fed2 imports", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
			type Query { u: User } type User @key(fields: "id") { id: ID! name: String }`, true, 5, 1, false},
		{"fed2 renamed", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "@pk"}, {name: "@shareable", as: "@share"}])
			type Query { u: User } type User @pk(fields: "id") { id: ID! name: String @share }`, true, 3, 1, true},
		{"fed2 namespaced", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed")
			type Query { u: User } type User @fed__key(fields: "id") { id: ID! name: String @fed__shareable }`, true, 3, 1, true},
		{"fed2 not imported is custom", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
			directive @key(fields: String) on OBJECT
			type Query { u: User } type User @key(fields: "id") { id: ID! name: String }`, true, 3, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, errs := Parse("a", "http://a", tt.sdl)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			u := s.Type("User")
			if s.Fed2 != tt.fed2 || s.Minor != tt.minor || len(u.Keys) != tt.keys {
				t.Fatalf("fed2=%v minor=%d keys=%d", s.Fed2, s.Minor, len(u.Keys))
			}
			if got := s.IsShareable(u, u.Field("name")); got != tt.shareable {
				t.Fatalf("name shareable = %v, want %v", got, tt.shareable)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides"])` + "\n"
	tests := []struct {
		name string
		sdl  string
		want []string
	}{
		{"syntax", "type Query {", []string{"INVALID_GRAPHQL"}},
		{"unknown type", "type Query { a: Nope }", []string{"INVALID_GRAPHQL"}},
		{"key syntax", link + `type Query { t: T } type T @key(fields: "id {") { id: ID! }`, []string{"KEY_INVALID_FIELDS"}},
		{"key unknown field", link + `type Query { t: T } type T @key(fields: "nope") { id: ID! }`, []string{"KEY_INVALID_FIELDS"}},
		{"key union", link + `type Query { t: T } union U = T type T @key(fields: "u") { u: U }`, []string{"KEY_FIELDS_SELECT_INVALID_TYPE"}},
		{"requires not external", link + `type Query { t: T } type T @key(fields: "id") { id: ID! w: Int s: Int @requires(fields: "w") }`, []string{"REQUIRES_FIELDS_MISSING_EXTERNAL"}},
		{"requires local leaf below local object", link + `type Query { t: T } type T @key(fields: "id") { id: ID! o: O s: Int @requires(fields: "o { w }") } type O { w: Int }`, []string{"REQUIRES_FIELDS_MISSING_EXTERNAL"}},
		{"requires external leaf below local object", link + `type Query { t: T } type T @key(fields: "id") { id: ID! o: O s: Int @requires(fields: "o { w }") } type O @key(fields: "id") { id: ID! w: Int @external }`, nil},
		{"provides local leaf in fragment", link + `type Query { p: [P] @provides(fields: "... on C { n }") } interface P { id: ID! } type C implements P @key(fields: "id") { id: ID! n: Int }`, []string{"PROVIDES_FIELDS_MISSING_EXTERNAL"}},
		{"provides external leaf in fragment", link + `type Query { p: [P] @provides(fields: "... on C { n }") } interface P { id: ID! } type C implements P @key(fields: "id") { id: ID! n: Int @external }`, nil},
		{"key fields not a string", link + `type Query { t: T } type T @key(fields: 3) { id: ID! }`, []string{"KEY_INVALID_FIELDS_TYPE"}},
		{"directive in requires fields", link + `type Query { t: T } type T @key(fields: "id") { id: ID! w: Int @external s: Int @requires(fields: "w @skip(if: true)") }`, []string{"REQUIRES_DIRECTIVE_IN_FIELDS_ARG"}},
		{"provides on external field", link + `type Query { t: T } type T @key(fields: "id") { id: ID! u: U @external @provides(fields: "n") } type U @key(fields: "id") { id: ID! n: Int @external }`, []string{"EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE"}},
		{"provides field with arguments", link + `type Query { u: U @provides(fields: "n") } type U @key(fields: "id") { id: ID! n(x: Int): Int @external }`, []string{"PROVIDES_FIELDS_HAS_ARGS"}},
		{"requires field with arguments", link + `type Query { t: T } type T @key(fields: "id") { id: ID! w(x: Int): Int @external s: Int @requires(fields: "w(x: 1)") }`, nil},
		{"external on interface field", link + `type Query { i: I } interface I { id: ID! @external } type T implements I @key(fields: "id") { id: ID! }`, []string{"EXTERNAL_ON_INTERFACE", "EXTERNAL_UNUSED"}},
		{"custom query root beside Query", link + `schema { query: Root } type Root { a: Int } type Query { b: Int }`, []string{"ROOT_QUERY_USED"}},
		{"interface key missing on implementation", link + `type Query { i: I } interface I @key(fields: "id") { id: ID! } type T implements I @key(fields: "sku") { id: ID! sku: ID }`, []string{"INTERFACE_KEY_NOT_ON_IMPLEMENTATION"}},
		{"unknown federation version", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.99", import: ["@key"]) type Query { a: Int }`, []string{"UNKNOWN_FEDERATION_LINK_VERSION"}},
		{"output field of an input type", link + `type Query { a: In } input In { x: Int }`, []string{"INVALID_GRAPHQL"}},
		{"argument of an object type", link + `type Query { a(t: T): Int } type T { x: Int }`, []string{"INVALID_GRAPHQL"}},
		{"union of an interface", link + `type Query { u: U } union U = I interface I { x: Int }`, []string{"INVALID_GRAPHQL"}},
		{"implementation field of another type", link + `type Query { i: I } interface I { x: Int } type T implements I { x: String }`, []string{"INVALID_GRAPHQL"}},
		{"implementation field covariant", link + `type Query { i: I } interface I { x: I } type T implements I { x: T! }`, nil},
		{"external unused", link + `type Query { t: T } type T @key(fields: "id") { id: ID! w: Int @external }`, []string{"EXTERNAL_UNUSED"}},
		{"context on a field", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@context"])
			type Query { a: T } type T { x: Int @context(name: "c") }`, []string{"INVALID_GRAPHQL"}},
		{"context on an enum", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@context"])
			type Query { a: E } enum E @context(name: "c") { X }`, []string{"INVALID_GRAPHQL"}},
		{"context without name", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@context"])
			type Query { a: T } type T @context { x: Int }`, []string{"INVALID_GRAPHQL"}},
		{"fromContext without context", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@context", "@fromContext"])
			type Query { a: T } type T @key(fields: "id") @context(name: "c") { id: ID! x: Int u: U }
			type U @key(fields: "id") { id: ID! y(x: Int @fromContext(field: "x")): Int }`, []string{"NO_CONTEXT_IN_SELECTION"}},
		{"requiresScopes before v2.5", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.4", import: ["@requiresScopes"])
			type Query { a: String @requiresScopes(scopes: [["x"]]) }`, []string{"INVALID_LINK_DIRECTIVE_USAGE"}},
		{"policy before v2.6", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@policy"])
			type Query { a: String @policy(policies: [["x"]]) }`, []string{"INVALID_LINK_DIRECTIVE_USAGE"}},
		{"namespaced policy before v2.6", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5")
			type Query { a: String @federation__policy(policies: [["x"]]) }`, []string{"INVALID_GRAPHQL"}},
		{"requiresScopes without scopes", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@requiresScopes"])
			type Query { a: String @requiresScopes }`, []string{"INVALID_GRAPHQL"}},
		{"requiresScopes not a list of lists", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@requiresScopes"])
			type Query { a: String @requiresScopes(scopes: ["x"]) }`, []string{"INVALID_GRAPHQL"}},
		{"policy of numbers", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@policy"])
			type Query { a: String @policy(policies: [[1]]) }`, []string{"INVALID_GRAPHQL"}},
		{"policy unknown argument", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@policy"])
			type Query { a: String @policy(policies: [["x"]], extra: 1) }`, []string{"INVALID_GRAPHQL"}},
		{"authenticated on an argument", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@authenticated"])
			type Query { a(x: Int @authenticated): String }`, []string{"INVALID_GRAPHQL"}},
		{"requiresScopes on an input field", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@requiresScopes"])
			type Query { a(x: In): String } input In { v: Int @requiresScopes(scopes: [["x"]]) }`, []string{"INVALID_GRAPHQL"}},
		{"policy on an interface field", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@policy"])
			type Query { a: I } interface I { v: Int @policy(policies: [["x"]]) } type T implements I { v: Int }`, []string{"AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE"}},
		{"interface field missing", link + `interface I { a: Int b: Int } type T implements I { a: Int } type Query { i: I }`, []string{"INVALID_GRAPHQL"}},
		{"provides on scalar", link + `type Query { t: String @provides(fields: "x") }`, []string{"PROVIDES_ON_NON_OBJECT_FIELD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := Parse("sub", "http://sub", tt.sdl)
			if got := strings.Join(errs.Codes(), ","); got != strings.Join(tt.want, ",") {
				t.Fatalf("codes %s, want %v: %v", got, tt.want, errs)
			}
			for _, e := range errs {
				if e.Subgraph != "sub" || !strings.Contains(e.Error(), "[sub]") {
					t.Errorf("error does not name the subgraph: %v", e)
				}
			}
		})
	}
}

func TestParseFieldSet(t *testing.T) {
	t.Parallel()
	sels, err := ParseFieldSet("id sku variation { id ... on V { code } }")
	if err != nil {
		t.Fatal(err)
	}
	if len(sels) != 3 || sels[2].Name != "variation" || len(sels[2].Sub) != 2 || sels[2].Sub[1].TypeCondition != "V" {
		t.Fatalf("selections %+v", sels)
	}
	if _, err := ParseFieldSet("id {"); err == nil {
		t.Fatal("want a syntax error")
	}
}

func TestFed1UpgradeDropsUnusedExternalsAndFakeExternals(t *testing.T) {
	t.Parallel()
	s, errs := Parse("r", "http://r", `extend type User @key(fields: "id") { id: ID! @external name: String @external reviews: [String] }
	type Query { x: Int }`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	u := s.Type("User")
	if u.Field("name") != nil {
		t.Fatal("unused Federation 1 external should be dropped")
	}
	if u.Field("id").IsExternal() {
		t.Fatal("key field of a Federation 1 extension is not external")
	}
	if !u.HasBase {
		t.Fatal("Federation 1 extensions are upgraded to definitions")
	}
}

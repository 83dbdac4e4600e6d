package compose

import (
	"strings"
	"testing"
)

// TestCustomDirectiveNamedLikeAccessControl composes subgraphs whose own
// @policy directive is not federation's: composition must not read it as
// access control (or fail on its arguments).
func TestCustomDirectiveNamedLikeAccessControl(t *testing.T) {
	t.Parallel()
	sdl := func(arg string) string {
		return `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
directive @policy(name: String) on FIELD_DEFINITION
type Query { t: T @shareable @policy(name: "` + arg + `") }
type T @key(fields: "id") { id: ID! }`
	}
	out, err := Compose([]Source{
		{Name: "a", URL: "http://a/graphql", SDL: sdl("x")},
		{Name: "b", URL: "http://b/graphql", SDL: sdl("y")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "policy") {
		t.Fatalf("a custom @policy reached the supergraph:\n%s", out)
	}
}

// TestAccessControlErrors composes malformed access-control applications,
// which must be reported as errors.
func TestAccessControlErrors(t *testing.T) {
	t.Parallel()
	for _, sdl := range []string{
		`extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@policy"]) type Query { a: String @policy(policies: "x") }`,
		`extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@policy"]) type Query { a: String @policy(policies: [[null]]) }`,
		`extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@requiresScopes"]) type Query { a: String @requiresScopes(scopes: [["a"]], scopes: [["b"]]) }`,
	} {
		if _, err := Compose([]Source{{Name: "a", URL: "http://a/graphql", SDL: sdl}}); err == nil {
			t.Errorf("no error for %s", sdl)
		}
	}
}

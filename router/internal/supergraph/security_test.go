package supergraph

import (
	"reflect"
	"strings"
	"testing"
)

const securityBody = `
type Query @join__type(graph: A) {
  me: User @join__field(graph: A) @auth
  users: [User] @join__field(graph: A) @scoped(scopes: [["read:users"], ["admin", "ops"]])
  money: Money @join__field(graph: A)
}
type User @join__type(graph: A, key: "id") @pol(policies: [["staff"]]) @scoped(scopes: [["a"], ["b"]]) {
  id: ID!
  email: String @pol(policies: [["self"], ["admin", "audit"]])
}
scalar Money @join__type(graph: A) @auth
enum Tier @join__type(graph: A) @auth { GOLD }
scalar scoped__Scope
scalar policy__Policy
directive @auth on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @scoped(scopes: [[scoped__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @pol(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
`

// The three links, renamed every way the link spec allows: "as" for
// authenticated and requiresScopes, an import rename for policy.
const securityLinks = `  @link(url: "https://specs.apollo.dev/authenticated/v0.1", as: "auth", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "scoped", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", import: [{name: "@policy", as: "@pol"}], for: SECURITY)
{`

func TestAccessRules(t *testing.T) {
	t.Parallel()
	sdl := strings.Replace(fed2Header, "{\n  query: Query", securityLinks+"\n  query: Query", 1) + securityBody
	s, err := Parse(sdl)
	if err != nil {
		t.Fatal(err)
	}
	got := s.AccessRules()
	want := AccessRules{
		Types: map[string]Access{
			"User":  {Scopes: [][]string{{"a"}, {"b"}}, Policies: [][]string{{"staff"}}},
			"Money": {Authenticated: true},
			"Tier":  {Authenticated: true},
		},
		Fields: map[string]Access{
			"Query.me":    {Authenticated: true},
			"Query.users": {Scopes: [][]string{{"read:users"}, {"admin", "ops"}}},
			"User.email":  {Policies: [][]string{{"self"}, {"admin", "audit"}}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rules\n%+v\nwant\n%+v", got, want)
	}
	// The client schema shows none of it.
	for _, name := range []string{"@auth", "@scoped", "@pol", "scoped__Scope", "policy__Policy"} {
		if strings.Contains(s.ClientSchema(), name) {
			t.Fatalf("client schema has %s", name)
		}
	}
	if plain, _ := Parse(fed2Header + fed2Body); !plain.AccessRules().Empty() {
		t.Fatal("a supergraph without the links has rules")
	}
}

func TestUnimplementedPurposeRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		link string
		ok   bool
	}{
		{`@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)`, true},
		{`@link(url: "https://specs.apollo.dev/unknownSecurity/v0.1", for: SECURITY)`, false},
		{`@link(url: "https://example.com/custom/v1.0", as: "x", for: EXECUTION)`, false},
		{`@link(url: "https://specs.apollo.dev/cost/v0.1")`, true},
		{`@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)`, true},
		{`@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)`, true},
	} {
		sdl := strings.Replace(fed2Header, "{\n  query: Query", "  "+tc.link+"\n{\n  query: Query", 1) + fed2Body
		_, err := Parse(sdl)
		url := strings.Split(tc.link, `"`)[1]
		if tc.ok && err != nil {
			t.Fatalf("%s: %v", tc.link, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), url)) {
			t.Fatalf("%s: err %v, want a refusal naming %s", tc.link, err, url)
		}
	}
}

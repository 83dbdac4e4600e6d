package authz

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astprinter"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/asttransform"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

const testSchema = `
type Query { me: User products: [Product!]! node(id: ID!): Node search: [SearchResult] }
interface Node { id: ID! }
type User implements Node { id: ID! name: String email: String! orders: [[Order]] }
type Order { id: ID! total: Int }
type Product implements Node { id: ID! name: String cost: Int }
union SearchResult = User | Product
`

var testRules = supergraph.AccessRules{
	Types: map[string]supergraph.Access{
		"Order": {Policies: [][]string{{"admin"}, {"auditor", "staff"}}},
	},
	Fields: map[string]supergraph.Access{
		"Query.me":     {Authenticated: true},
		"User.email":   {Scopes: [][]string{{"email:read"}}},
		"Product.cost": {Authenticated: true},
		"Order.total":  {Scopes: [][]string{{"money"}}},
	},
}

func parseSchema(t *testing.T) *ast.Document {
	t.Helper()
	doc, rep := astparser.ParseGraphqlDocumentString(testSchema)
	if rep.HasErrors() {
		t.Fatal(rep.Error())
	}
	if err := asttransform.MergeDefinitionWithBaseSchema(&doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

func principal(auth bool, scopes []string, policies []string) Principal {
	return Principal{Authenticated: auth, Scopes: scopes, Policies: policies}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	schema := parseSchema(t)
	a := New(testRules, Config{Directives: true}, nil)
	anon := principal(false, nil, nil)
	user := principal(true, nil, nil)
	for _, tc := range []struct {
		name, op string
		p        Principal
		want     string
		removed  []string // key@path:nonNull:unauthorized
		denied   []string
		empty    bool
	}{
		{
			name: "root field and a field under a list",
			op:   `{ me { id } products { name cost } }`, p: anon,
			want:    `{products {name}}`,
			removed: []string{`[me] false true`, `[products @ cost] false true`},
			denied:  []string{`[me]`, `[products @ cost]`},
		},
		{
			name: "field scopes and a type policy under a list of lists",
			op:   `{ me { id email orders { id } } }`, p: user,
			want:    `{me {id}}`,
			removed: []string{`[me email] true true`, `[me orders] false true`},
			denied:  []string{`[me email]`, `[me orders]`},
		},
		{
			name: "a policy alternative satisfied, a field under a list of lists",
			op:   `{ me { orders { id total } } }`, p: principal(true, nil, []string{"auditor", "staff"}),
			want:    `{me {orders {id}}}`,
			removed: []string{`[me orders @ @ total] false true`},
			denied:  []string{`[me orders @ @ total]`},
		},
		{
			name: "half of an AND is not enough",
			op:   `{ me { orders { total } } }`, p: principal(true, nil, []string{"staff"}),
			want: ``, empty: true,
			removed: []string{`[me] false false`},
			denied:  []string{`[me orders]`},
		},
		{
			name: "selection emptied: the parent goes",
			op:   `{ me { email } products { id } }`, p: user,
			want:    `{products {id}}`,
			removed: []string{`[me] false false`},
			denied:  []string{`[me email]`},
		},
		{
			name: "inline fragment on an implementation",
			op:   `{ node(id: "1") { id ... on Product { name cost } } }`, p: anon,
			want:    `{node(id: "1"){id ... on Product {name}}}`,
			removed: []string{`[node cost] false true on [Product]`},
			denied:  []string{`[node cost]`},
		},
		{
			name: "union member fragment",
			op:   `{ search { ... on User { email } ... on Product { name } } }`, p: user,
			want:    `{search {... on Product {name}}}`,
			removed: []string{`[search @ email] true true on [User]`},
			denied:  []string{`[search @ email]`},
		},
		{
			name: "introspection and __typename are kept",
			op:   `{ __typename me { __typename } __schema { queryType { name } } }`, p: anon,
			want:    `{__typename __schema {queryType {name}}}`,
			removed: []string{`[me] false true`},
			denied:  []string{`[me]`},
		},
		{
			name: "everything allowed",
			op:   `{ me { id email } }`, p: principal(true, []string{"email:read"}, nil),
			want: `{me {id email}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, rep := astparser.ParseGraphqlDocumentString(tc.op)
			if rep.HasErrors() {
				t.Fatal(rep.Error())
			}
			res := a.Filter(&doc, schema, tc.p)
			var got []string
			for _, rm := range res.Removed {
				s := fmt.Sprintf("%v %v %v", rm.Path, rm.NonNull, rm.Unauthorized)
				if rm.OnTypes != nil {
					s += fmt.Sprintf(" on %v", rm.OnTypes)
				}
				got = append(got, s)
			}
			var denied []string
			for _, p := range res.Denied {
				denied = append(denied, fmt.Sprint(p))
			}
			if !reflect.DeepEqual(got, tc.removed) || !reflect.DeepEqual(denied, tc.denied) || res.Empty != tc.empty {
				t.Fatalf("removed %q denied %q empty %v\nwant %q %q %v", got, denied, res.Empty, tc.removed, tc.denied, tc.empty)
			}
			if !res.Empty {
				var buf bytes.Buffer
				if err := astprinter.Print(&doc, &buf); err != nil {
					t.Fatal(err)
				}
				if buf.String() != tc.want {
					t.Fatalf("filtered %s, want %s", buf.String(), tc.want)
				}
			}
		})
	}
}

func TestPrincipal(t *testing.T) {
	t.Parallel()
	a := New(supergraph.AccessRules{}, Config{Directives: true, Policies: map[string]Policy{
		"admin":    {Claims: map[string][]string{"role": {"admin"}}},
		"staff":    {Claims: map[string][]string{"groups": {"staff", "ops"}}},
		"verified": {Claims: map[string][]string{"email_verified": {"true"}, "role": {"admin", "buyer"}}},
	}}, nil)
	for _, tc := range []struct {
		name     string
		claims   authn.Claims
		scopes   []string
		policies []string
	}{
		{"scope string", authn.Claims{"scope": "b a  b"}, []string{"a", "b"}, nil},
		{"scope array", authn.Claims{"scope": []any{"x", 1, "y"}}, []string{"x", "y"}, nil},
		{"role equals", authn.Claims{"role": "admin"}, nil, []string{"admin"}},
		{"array claim contains one of", authn.Claims{"groups": []any{"sales", "ops"}}, nil, []string{"staff"}},
		{"every claim of a policy", authn.Claims{"role": "buyer", "email_verified": true}, nil, []string{"verified"}},
		{"one claim missing", authn.Claims{"email_verified": true}, nil, nil},
		{"value differs", authn.Claims{"role": "Admin", "groups": "sales"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := a.PrincipalFrom(authn.WithClaims(context.Background(), tc.claims))
			if !p.Authenticated || !reflect.DeepEqual(p.Scopes, tc.scopes) || !reflect.DeepEqual(p.Policies, tc.policies) {
				t.Fatalf("got %+v, want scopes %v policies %v", p, tc.scopes, tc.policies)
			}
		})
	}
	anon := a.PrincipalFrom(context.Background())
	if anon.Authenticated || anon.Key() == a.PrincipalFrom(authn.WithClaims(context.Background(), authn.Claims{})).Key() {
		t.Fatalf("anonymous principal %+v shares its key with an authenticated one", anon)
	}
}

func TestUnknownPolicyNeverSatisfied(t *testing.T) {
	t.Parallel()
	rules := supergraph.AccessRules{Fields: map[string]supergraph.Access{"Query.me": {Policies: [][]string{{"ghost"}}}}}
	a := New(rules, Config{Directives: true}, nil)
	p := a.PrincipalFrom(authn.WithClaims(context.Background(), authn.Claims{"ghost": "ghost"}))
	res := a.Filter(mustParse(t, `{ me { id } }`), parseSchema(t), p)
	if !res.Empty {
		t.Fatalf("a policy router.yaml does not define was satisfied: %+v", res)
	}
}

func TestFiltersOnlyWithDirectives(t *testing.T) {
	t.Parallel()
	if New(supergraph.AccessRules{}, Config{Directives: true}, nil).Filters() {
		t.Fatal("a supergraph without directives needs no walk")
	}
	if New(testRules, Config{}, nil).Filters() {
		t.Fatal("directives turned off still filter")
	}
}

func mustParse(t *testing.T, op string) *ast.Document {
	t.Helper()
	doc, rep := astparser.ParseGraphqlDocumentString(op)
	if rep.HasErrors() {
		t.Fatal(rep.Error())
	}
	return &doc
}

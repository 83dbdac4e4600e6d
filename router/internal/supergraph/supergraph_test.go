package supergraph

import (
	"slices"
	"strings"
	"testing"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
)

const fed2Header = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
}
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @lower on FIELD
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph {
  A @join__graph(name: "a", url: "http://a/graphql")
  B @join__graph(name: "b", url: "http://b/graphql")
  C @join__graph(name: "c", url: "http://c/graphql")
}
`

const fed2Body = `
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  products: [Product] @join__field(graph: A)
  media: [Media] @join__field(graph: C)
  search(term: String!, limit: Int = 10): [Result] @join__field(graph: A)
  secret: String @join__field(graph: B) @inaccessible
}
type Product
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
  @join__type(graph: B, key: "sku", resolvable: false)
  @join__type(graph: C, key: "sku")
{
  id: ID! @join__field(graph: A) @join__field(graph: B)
  sku: String @join__field(graph: A) @join__field(graph: B) @join__field(graph: C)
  name: String @join__field(graph: A, override: "b") @join__field(graph: B, usedOverridden: true)
  weight: Int @join__field(graph: A) @join__field(graph: B, external: true)
  shipping: Int @join__field(graph: B, requires: "weight")
  status: Status @join__field(graph: A)
  internal: Int @join__field(graph: A) @inaccessible
}
enum Status @join__type(graph: A) @join__type(graph: B) {
  ON_SALE @join__enumValue(graph: A) @join__enumValue(graph: B)
  DRAFT @join__enumValue(graph: A) @inaccessible
}
union Result @join__type(graph: A) @join__type(graph: B) @join__unionMember(graph: A, member: "Product") @join__unionMember(graph: B, member: "Product") = Product
interface Media @join__type(graph: A, key: "id") @join__type(graph: C, key: "id", isInterfaceObject: true) {
  id: ID!
  title: String @join__field(graph: A)
  plays: Int @join__field(graph: C)
}
type Song implements Media @join__implements(graph: A, interface: "Media") @join__type(graph: A, key: "id") {
  id: ID!
  title: String
  plays: Int @join__field
}
`

func mustSubgraphs(t *testing.T, sdl string) (*Supergraph, map[string]Subgraph) {
	t.Helper()
	s, err := Parse(sdl)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	list, err := s.Subgraphs()
	if err != nil {
		t.Fatalf("subgraphs: %v", err)
	}
	out := map[string]Subgraph{}
	for _, sg := range list {
		out[sg.Name] = sg
	}
	return s, out
}

func node(nodes plan.TypeFields, typeName string) *plan.TypeField {
	for i := range nodes {
		if nodes[i].TypeName == typeName {
			return &nodes[i]
		}
	}
	return nil
}

func keys(md *plan.DataSourceMetadata, typeName string) []string {
	var out []string
	for _, k := range md.Keys {
		if k.TypeName == typeName {
			s := k.SelectionSet
			if k.DisableEntityResolver {
				s += " (no resolver)"
			}
			if len(k.Conditions) > 0 {
				s += " (conditional)"
			}
			out = append(out, s)
		}
	}
	return out
}

func TestFed2Metadata(t *testing.T) {
	t.Parallel()
	_, sgs := mustSubgraphs(t, fed2Header+fed2Body)
	a, b, c := sgs["a"].Metadata, sgs["b"].Metadata, sgs["c"].Metadata

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"a product fields", node(a.RootNodes, "Product").FieldNames, []string{"id", "sku", "name", "weight", "status", "internal"}},
		{"b product fields", node(b.RootNodes, "Product").FieldNames, []string{"id", "sku", "shipping"}},
		{"b product externals (external and overridden)", node(b.RootNodes, "Product").ExternalFieldNames, []string{"name", "weight"}},
		{"a keys: explicit and implicit sku", keys(a, "Product"), []string{"id", "sku (no resolver)"}},
		{"b keys: resolvable:false is kept without resolver", keys(b, "Product"), []string{"id", "sku (no resolver)"}},
		{"c keys", keys(c, "Product"), []string{"sku"}},
		{"b requires", b.Requires, plan.FederationFieldConfigurations{{TypeName: "Product", FieldName: "shipping", SelectionSet: "weight"}}},
		{"a entity interface", a.EntityInterfaces, []plan.EntityInterfaceConfiguration{{InterfaceTypeName: "Media", ConcreteTypeNames: []string{"Song"}}}},
		{"c interface object", c.InterfaceObjects, []plan.EntityInterfaceConfiguration{{InterfaceTypeName: "Media", ConcreteTypeNames: []string{"Song"}}}},
		{"c concrete root node", node(c.RootNodes, "Song").FieldNames, []string{"id", "plays"}},
		{"c concrete keys", keys(c, "Song"), []string{"id"}},
		{"a query root", node(a.RootNodes, "Query").FieldNames, []string{"products", "search"}},
		{"b query root", node(b.RootNodes, "Query").FieldNames, []string{"secret"}},
	}
	for _, tc := range tests {
		if !equalAny(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func equalAny(a, b any) bool {
	switch x := a.(type) {
	case []string:
		y, _ := b.([]string)
		return slices.Equal(x, y)
	case plan.FederationFieldConfigurations:
		y, _ := b.(plan.FederationFieldConfigurations)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].TypeName != y[i].TypeName || x[i].FieldName != y[i].FieldName || x[i].SelectionSet != y[i].SelectionSet {
				return false
			}
		}
		return true
	case []plan.EntityInterfaceConfiguration:
		y, _ := b.([]plan.EntityInterfaceConfiguration)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].InterfaceTypeName != y[i].InterfaceTypeName || !slices.Equal(x[i].ConcreteTypeNames, y[i].ConcreteTypeNames) {
				return false
			}
		}
		return true
	}
	return false
}

func TestFed2SubgraphSDL(t *testing.T) {
	t.Parallel()
	_, sgs := mustSubgraphs(t, fed2Header+fed2Body)
	tests := []struct {
		graph      string
		contains   []string
		notContain []string
	}{
		{"a", []string{
			"type Product @key(fields: \"id\") {",
			"enum Status {\n  ON_SALE\n  DRAFT\n}",
			"union Result = Product",
			"interface Media @key(fields: \"id\") {",
			"type Song implements Media @key(fields: \"id\") {",
			"search(term: String!, limit: Int = 10): [Result]",
			"directive @lower on FIELD",
		}, []string{"join__", "@inaccessible", "plays"}},
		{"b", []string{
			"enum Status {\n  ON_SALE\n}",
			"weight: Int @external",
			"shipping: Int @requires(fields: \"weight\")",
			"name: String @external",
		}, []string{"sku\", resolvable", "DRAFT"}},
		{"c", []string{
			"type Media @key(fields: \"id\") @interfaceObject {",
			"type Query {\n  media: [Media]\n}",
		}, []string{"interface Media", "Song"}},
	}
	for _, tc := range tests {
		sdl := sgs[tc.graph].SDL
		for _, s := range tc.contains {
			if !strings.Contains(sdl, s) {
				t.Errorf("subgraph %s SDL lacks %q:\n%s", tc.graph, s, sdl)
			}
		}
		for _, s := range tc.notContain {
			if strings.Contains(sdl, s) {
				t.Errorf("subgraph %s SDL has %q:\n%s", tc.graph, s, sdl)
			}
		}
	}
}

func TestClientAndRouterSchemas(t *testing.T) {
	t.Parallel()
	s, _ := mustSubgraphs(t, fed2Header+fed2Body)
	client, router := s.ClientSchema(), s.RouterSchema()
	for _, hidden := range []string{"secret", "internal", "DRAFT", "join__", "link__", "@link", "inaccessible"} {
		if strings.Contains(client, hidden) {
			t.Errorf("client schema exposes %q:\n%s", hidden, client)
		}
	}
	for _, kept := range []string{"secret: String @inaccessible", "internal: Int @inaccessible", "DRAFT @inaccessible", "directive @lower on FIELD"} {
		if !strings.Contains(router, kept) {
			t.Errorf("router schema lacks %q:\n%s", kept, router)
		}
	}
	if strings.Contains(router, "join__") {
		t.Errorf("router schema keeps join machinery:\n%s", router)
	}
}

func TestFieldConfigurations(t *testing.T) {
	t.Parallel()
	s, _ := mustSubgraphs(t, fed2Header+fed2Body)
	fcs := s.FieldConfigurations()
	fc := fcs.ForTypeField("Query", "search")
	if fc == nil || len(fc.Arguments) != 2 || fc.Arguments[0].Name != "term" || fc.Arguments[1].Name != "limit" ||
		fc.Arguments[0].SourceType != plan.FieldArgumentSource {
		t.Fatalf("search arguments: %+v", fc)
	}
	if fcs.ForTypeField("Query", "products") != nil {
		t.Fatal("fields without arguments need no configuration")
	}
}

const compoundKeyBody = `
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  shipments: [Shipment] @join__field(graph: A)
}
type Shipment
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
  @join__type(graph: C, key: "orderNo carrier")
{
  id: ID! @join__field(graph: A) @join__field(graph: B)
  orderNo: String @join__field(graph: A) @join__field(graph: C)
  carrier: String @join__field(graph: B) @join__field(graph: C)
  eta: String @join__field(graph: C)
}
`

// TestCompoundKeySubsets checks that subgraphs holding part of a compound
// key expose that part as a source-only key, so the planner can gather the
// rest from elsewhere.
func TestCompoundKeySubsets(t *testing.T) {
	t.Parallel()
	_, sgs := mustSubgraphs(t, fed2Header+compoundKeyBody)
	if got, want := keys(sgs["a"].Metadata, "Shipment"), []string{"id", "orderNo (no resolver)"}; !slices.Equal(got, want) {
		t.Errorf("a keys: got %v, want %v", got, want)
	}
	if got, want := keys(sgs["b"].Metadata, "Shipment"), []string{"id", "carrier (no resolver)"}; !slices.Equal(got, want) {
		t.Errorf("b keys: got %v, want %v", got, want)
	}
	if got, want := keys(sgs["c"].Metadata, "Shipment"), []string{"orderNo carrier"}; !slices.Equal(got, want) {
		t.Errorf("c keys: got %v, want %v", got, want)
	}
}

const providesBody = `
type Query @join__type(graph: A) @join__type(graph: B) {
  feed: [Post] @join__field(graph: A, provides: "author { id name }")
}
type Post @join__type(graph: A) { title: String author: User }
type User @join__type(graph: A) @join__type(graph: B, key: "id") {
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B)
  name: String @join__field(graph: A, external: true) @join__field(graph: B)
}
`

// TestProvidedKeys checks conditional keys: key fields external in a
// subgraph but provided along a @provides path.
func TestProvidedKeys(t *testing.T) {
	t.Parallel()
	_, sgs := mustSubgraphs(t, fed2Header+providesBody)
	a := sgs["a"].Metadata
	if got, want := keys(a, "User"), []string{"id (no resolver) (conditional)"}; !slices.Equal(got, want) {
		t.Fatalf("a keys: got %v, want %v", got, want)
	}
	cond := a.Keys[0].Conditions[0]
	if !slices.Equal(cond.FieldPath, []string{"feed", "author", "id"}) || len(cond.Coordinates) != 3 ||
		cond.Coordinates[0] != (plan.FieldCoordinate{TypeName: "Query", FieldName: "feed"}) ||
		cond.Coordinates[2] != (plan.FieldCoordinate{TypeName: "User", FieldName: "id"}) {
		t.Fatalf("condition: %+v", cond)
	}
	if got := a.Provides; len(got) != 1 || got[0].TypeName != "Query" || got[0].FieldName != "feed" {
		t.Fatalf("provides: %+v", got)
	}
	if n := node(a.ChildNodes, "User"); n == nil || !slices.Equal(n.ExternalFieldNames, []string{"id", "name"}) {
		t.Fatalf("a User node: %+v", n)
	}
}

const fed1Supergraph = `schema
  @core(feature: "https://specs.apollo.dev/core/v0.2")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
{
  query: Query
}
directive @core(as: String, feature: String!, for: core__Purpose) repeatable on SCHEMA
directive @join__field(graph: join__Graph, provides: join__FieldSet, requires: join__FieldSet) on FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT
enum core__Purpose { EXECUTION SECURITY }
scalar join__FieldSet
enum join__Graph {
  INVENTORY @join__graph(name: "inventory" url: "http://inventory/graphql")
  PRODUCTS @join__graph(name: "products" url: "http://products/graphql")
}
type Money { amount: Int currency: String }
type Product
  @join__owner(graph: PRODUCTS)
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: INVENTORY, key: "upc")
{
  upc: String! @join__field(graph: PRODUCTS)
  price: Money @join__field(graph: PRODUCTS)
  weight: Int @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "weight")
}
type Query {
  topProducts: [Product] @join__field(graph: PRODUCTS)
}
`

// TestFed1 checks join v0.1 extraction: owners, and the key and requires
// fields that v0.1 leaves out being re-added (keys as resolvable).
func TestFed1(t *testing.T) {
	t.Parallel()
	s, sgs := mustSubgraphs(t, fed1Supergraph)
	if !s.Fed1() {
		t.Fatal("not detected as Federation 1")
	}
	inv := sgs["inventory"]
	n := node(inv.Metadata.RootNodes, "Product")
	if n == nil || !slices.Equal(n.FieldNames, []string{"inStock", "shippingEstimate", "upc"}) || !slices.Equal(n.ExternalFieldNames, []string{"weight"}) {
		t.Fatalf("inventory Product node: %+v", n)
	}
	if !strings.Contains(inv.SDL, "weight: Int @external") || !strings.Contains(inv.SDL, "upc: String!\n") {
		t.Fatalf("inventory SDL:\n%s", inv.SDL)
	}
	prod := sgs["products"]
	if node(prod.Metadata.ChildNodes, "Money") == nil {
		t.Fatalf("value type Money missing from products: %+v", prod.Metadata.ChildNodes)
	}
	if q := node(prod.Metadata.RootNodes, "Query"); q == nil || !slices.Equal(q.FieldNames, []string{"topProducts"}) {
		t.Fatalf("products Query node: %+v", q)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, sdl := range []string{
		"type Query {",
		"type Query { a: Int }",
		fed2Header[:strings.Index(fed2Header, "enum join__Graph")] + "enum join__Graph { A }\ntype Query @join__type(graph: A) { a: Int }",
		fed2Header + "type Query @join__type(graph: Z) { a: Int }",
	} {
		if _, err := Parse(sdl); err == nil {
			t.Errorf("Parse accepted an invalid supergraph:\n%s", sdl)
		}
	}
}

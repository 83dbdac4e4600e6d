package check

import (
	"strings"
	"testing"
)

const base = `
type Query { product(id: ID!, currency: String): Product products(first: Int): [Product!]! }
type Product { id: ID! name: String! price: Int tags: [String!] kind: Kind search: Result secret: String @inaccessible }
enum Kind { BOOK MOVIE }
union Result = Product | Other
type Other { x: Int }
input Filter { name: String size: Int! }
type Mutation { find(filter: Filter): [Product] }
scalar join__FieldSet
enum join__Graph { A }
`

func TestBreaking(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from string
		to   string
		want []string // codes, in order
	}{
		{"unchanged", base, base, nil},
		{"additive field", base, strings.Replace(base, "name: String!", "name: String! extra: Int", 1), nil},
		{"field removed", base, strings.Replace(base, "price: Int ", "", 1), []string{"FIELD_REMOVED"}},
		{"type removed", base, strings.Replace(strings.Replace(base, "type Other { x: Int }", "", 1), "Product | Other", "Product", 1), []string{"TYPE_REMOVED", "UNION_MEMBER_REMOVED"}},
		{"made nullable", base, strings.Replace(base, "name: String!", "name: String", 1), []string{"FIELD_MADE_NULLABLE"}},
		{"made non-null is safe", base, strings.Replace(base, "price: Int ", "price: Int! ", 1), nil},
		{"output type changed", base, strings.Replace(base, "price: Int ", "price: Float ", 1), []string{"FIELD_TYPE_CHANGED"}},
		{"list element nullable", base, strings.Replace(base, "tags: [String!]", "tags: [String]", 1), []string{"FIELD_TYPE_CHANGED"}},
		{"argument removed", base, strings.Replace(base, ", currency: String", "", 1), []string{"ARGUMENT_REMOVED"}},
		{"argument made required", base, strings.Replace(base, "currency: String", "currency: String!", 1), []string{"ARGUMENT_TYPE_CHANGED"}},
		{"argument made optional is safe", base, strings.Replace(base, "id: ID!, currency", "id: ID, currency", 1), nil},
		{"new required argument", base, strings.Replace(base, "products(first: Int)", "products(first: Int, shop: ID!)", 1), []string{"REQUIRED_ARGUMENT_ADDED"}},
		{"new optional argument is safe", base, strings.Replace(base, "products(first: Int)", "products(first: Int, shop: ID, n: Int! = 3)", 1), nil},
		{"enum value removed", base, strings.Replace(base, "BOOK MOVIE", "BOOK", 1), []string{"ENUM_VALUE_REMOVED"}},
		{"new required input field", base, strings.Replace(base, "size: Int!", "size: Int! shop: ID!", 1), []string{"REQUIRED_INPUT_FIELD_ADDED"}},
		{"input field removed", base, strings.Replace(base, "name: String size", "size", 1), []string{"INPUT_FIELD_REMOVED"}},
		{"made inaccessible", base, strings.Replace(base, "price: Int ", "price: Int @inaccessible ", 1), []string{"FIELD_REMOVED"}},
		{"inaccessible removed is ignored", base, strings.Replace(base, "secret: String @inaccessible", "", 1), nil},
		{"access-control scalars ignored", base + "scalar requiresScopes__Scope\nscalar policy__Policy\n", base, nil},
		{"join machinery ignored", base, strings.Replace(base, "enum join__Graph { A }", "enum join__Graph { B }", 1), nil},
		{"kind changed", base, strings.Replace(base, "type Other { x: Int }", "interface Other { x: Int }", 1), []string{"TYPE_KIND_CHANGED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Breaking(tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, b := range got {
				codes = append(codes, b.Code)
				if !strings.Contains(b.String(), b.Coordinate) {
					t.Errorf("break %q does not name %s", b, b.Coordinate)
				}
			}
			if strings.Join(codes, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("codes %v, want %v (%v)", codes, tt.want, got)
			}
		})
	}
}

func TestBreakingRejectsInvalidSDL(t *testing.T) {
	t.Parallel()
	if _, err := Breaking("type {", base); err == nil {
		t.Fatal("want a parse error for the old supergraph")
	}
	if _, err := Breaking(base, "type {"); err == nil {
		t.Fatal("want a parse error for the new supergraph")
	}
}

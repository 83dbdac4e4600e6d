package hints

import (
	"slices"
	"testing"

	"github.com/shopsupergraph/shop/compose/subgraph"
)

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@override", "@external", "@requires"])` + "\n"

func TestCollect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sdls []string
		want []string
	}{
		{"identical subgraphs", []string{`type Query { a(x: Int): Int @shareable }`, `type Query { a(x: Int): Int @shareable }`}, nil},
		{"argument in one subgraph", []string{`type Query { a(x: Int): Int @shareable }`, `type Query { a: Int @shareable }`}, []string{"INCONSISTENT_ARGUMENT_PRESENCE"}},
		{"argument only field in one subgraph", []string{`type Query { a(x: Int): Int }`, `type Query { b: Int }`}, nil},
		{"nullable in one", []string{`type Query { a: Int! @shareable }`, `type Query { a: Int @shareable }`}, []string{"INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE"}},
		{"enum used by a dropped argument only", []string{`enum E { A } type Query { a(e: E): Int @shareable }`, `type Query { a: Int @shareable }`}, []string{"INCONSISTENT_ARGUMENT_PRESENCE", "UNUSED_ENUM_TYPE"}},
		{"input enum value", []string{`enum E { A B } type Query { a(e: E): Int @shareable }`, `enum E { A } type Query { a(e: E): Int @shareable }`}, []string{"INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM"}},
		{"labelled override", []string{`type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }`, `type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "beta") }`}, []string{"OVERRIDE_MIGRATION_IN_PROGRESS"}},
		{"override from nowhere", []string{`type Query { t: T } type T @key(fields: "id") { id: ID! p: Int @override(from: "zz") }`}, []string{"FROM_SUBGRAPH_DOES_NOT_EXIST"}},
		{"deprecated reasons differ", []string{`type Query { a: Int @shareable @deprecated(reason: "x") }`, `type Query { a: Int @shareable @deprecated(reason: "y") }`}, []string{"INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS"}},
		{"deprecated reasons equal", []string{`type Query { a: Int @shareable @deprecated(reason: "x") }`, `type Query { a: Int @shareable @deprecated(reason: "x") }`}, nil},
		{"union member", []string{`union U = X | Y type X @shareable { a: Int } type Y { b: Int } type Query { u: U @shareable }`, `union U = X type X @shareable { a: Int } type Query { u: U @shareable }`}, []string{"INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN", "INCONSISTENT_UNION_MEMBER"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var subs []*subgraph.Subgraph
			for i, sdl := range tt.sdls {
				name := string(rune('a' + i))
				s, errs := subgraph.Parse(name, "http://"+name, link+sdl)
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				subs = append(subs, s)
			}
			got := Collect(subs)
			if !slices.Equal(got.Codes(), tt.want) {
				t.Fatalf("codes %v, want %v\n%v", got.Codes(), tt.want, got)
			}
			for _, h := range got {
				if !slices.Contains(Codes, h.Code) {
					t.Errorf("code %s is missing from Codes", h.Code)
				}
			}
		})
	}
}

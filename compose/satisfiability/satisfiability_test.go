package satisfiability_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/compose"
	"github.com/shopsupergraph/shop/compose/diag"
)

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable", "@interfaceObject", "@override"])` + "\n"

func sources(sdls ...string) []compose.Source {
	out := make([]compose.Source, len(sdls))
	for i, s := range sdls {
		name := string(rune('a' + i))
		out[i] = compose.Source{Name: name, URL: "http://" + name, SDL: link + s}
	}
	return out
}

// TestValidate checks satisfiability on small graphs: which compose, and
// for those that cannot be planned, the counter-example and the reasons.
func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sdls []string
		// want are substrings of the error; none means composition succeeds.
		want []string
	}{
		{
			name: "key on the target is enough",
			sdls: []string{
				`type Query { user: User } type User { id: ID! @shareable name: String }`,
				`type User @key(fields: "id") { id: ID! email: String }`,
			},
		},
		{
			name: "non-resolvable key hides the field",
			sdls: []string{
				`type Query { user: User } type User @key(fields: "id") { id: ID! name: String }`,
				`type User @key(fields: "id", resolvable: false) { id: ID! email: String }`,
			},
			want: []string{"{\n  user {\n    email\n  }\n}", `cannot find field "User.email"`, `cannot move to subgraph "b", which has field "User.email", because none of the @key defined on type "User" in subgraph "b" are resolvable`},
		},
		{
			name: "requires fetched through a key",
			sdls: []string{
				`type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! w: Int }`,
				`type P @key(fields: "id") { id: ID! w: Int @external s: Int @requires(fields: "w") }`,
			},
		},
		{
			name: "requires nowhere to fetch",
			sdls: []string{
				`type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! }`,
				`type P @key(fields: "id") { id: ID! w: Int @external s: Int @requires(fields: "w") }`,
				`type P @key(fields: "id", resolvable: false) { id: ID! w: Int }`,
			},
			want: []string{`p(id: "<any id>")`, `cannot satisfy @require conditions on field "P.s"`},
		},
		{
			name: "provides makes an external field local",
			sdls: []string{
				`type Query { me: U @provides(fields: "name") } type U @key(fields: "id", resolvable: false) { id: ID! name: String @external }`,
				`type U @key(fields: "id", resolvable: false) { id: ID! name: String @shareable }`,
			},
		},
		{
			name: "mutation root",
			sdls: []string{
				`type Query { a: Int } type Mutation { m: U } type U @key(fields: "id") { id: ID! }`,
				`type Query { b: Int } type U @key(fields: "id", resolvable: false) { id: ID! x: Int }`,
			},
			want: []string{"mutation {\n  m {\n    x\n  }\n}"},
		},
		{
			name: "shareable value types that differ",
			sdls: []string{
				`type Query { a: T } type T @shareable { x: Int y: Int }`,
				`type Query { b: T } type T @shareable { x: Int z: Int }`,
			},
			want: []string{`"T.z"`, `"T.y"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compose.Compose(sources(tt.sdls...))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("compose: %v", err)
				}
				return
			}
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("want SATISFIABILITY_ERROR, got %v", err)
			}
			if codes := list.Codes(); len(codes) != 1 || codes[0] != "SATISFIABILITY_ERROR" {
				t.Fatalf("codes %v: %v", codes, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestSharedRuntimeTypes refuses a shareable field whose subgraphs can
// return no object type in common, and accepts one with a common type.
func TestSharedRuntimeTypes(t *testing.T) {
	t.Parallel()
	disjoint := sources(
		`interface A { n: String } type Dog implements A @shareable { n: String } type Query { pet: A @shareable }`,
		`interface A { n: String } type Cat implements A @shareable { n: String } type Query { pet: A @shareable }`,
	)
	_, err := compose.Compose(disjoint)
	var list diag.List
	if !errors.As(err, &list) || !slices.Equal(list.Codes(), []string{"SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES"}) {
		t.Fatalf("want SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES, got %v", err)
	}
	if !strings.Contains(err.Error(), `in subgraph "a", type "Dog"`) {
		t.Errorf("message does not list the runtime types: %v", err)
	}
	overlapping := sources(
		`interface A { n: String } type Dog implements A @shareable { n: String } type Query { pet: A @shareable }`,
		`interface A { n: String } type Dog implements A @shareable { n: String } type Cat implements A @shareable { n: String } type Query { pet: A @shareable }`,
	)
	if _, err := compose.Compose(overlapping); err != nil {
		t.Fatalf("compose: %v", err)
	}
}

// BenchmarkShop composes the shop's subgraphs, satisfiability included, to
// keep composition fast as the graph grows.
func BenchmarkShop(b *testing.B) {
	dir := filepath.Join("..", "testdata", "corpus", "shop")
	files, err := filepath.Glob(filepath.Join(dir, "*.graphqls"))
	if err != nil || len(files) == 0 {
		b.Fatalf("shop case: %v", err)
	}
	var srcs []compose.Source
	for _, f := range files {
		sdl, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".graphqls")
		srcs = append(srcs, compose.Source{Name: name, URL: "http://" + name, SDL: string(sdl)})
	}
	b.ResetTimer()
	for range b.N {
		if _, err := compose.Compose(srcs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWide composes a synthetic graph much larger than the shop's:
// 200 entity types over 8 subgraphs, each referencing three others, with
// two keys on some and @requires on every fifth, so that many query paths
// reach each type through different subgraphs.
func BenchmarkWide(b *testing.B) {
	const types, subgraphs = 200, 8
	var srcs []compose.Source
	for s := range subgraphs {
		var present []int
		for t := range types {
			if (t+s)%3 != 1 || s == 0 {
				present = append(present, t)
			}
		}
		var sdl, query strings.Builder
		for _, t := range present {
			var refs []string
			for k := 0; k < 6 && len(refs) < 3; k++ {
				if x := (t*7 + k + s) % types; slices.Contains(present, x) {
					refs = append(refs, fmt.Sprintf("r%dx%d: T%d", s, len(refs), x))
				}
			}
			key := `@key(fields: "id")`
			if (t+s)%4 == 0 {
				key += ` @key(fields: "sku")`
			}
			extra := ""
			switch {
			case s == 0:
				extra = " w: Int"
			case t%5 == 0:
				extra = fmt.Sprintf(` w: Int @external q%d: Int @requires(fields: "w")`, s)
			}
			fmt.Fprintf(&sdl, "type T%d %s { id: ID! sku: String @shareable name: String @shareable f%d: Int %s%s }\n", t, key, s, strings.Join(refs, " "), extra)
			if t%10 == s {
				fmt.Fprintf(&query, " t%ds%d: T%d", t, s, t)
			}
		}
		if query.Len() == 0 {
			fmt.Fprintf(&query, " z%d: Int", s)
		}
		name := fmt.Sprintf("s%d", s)
		srcs = append(srcs, compose.Source{Name: name, URL: "http://" + name, SDL: link + "type Query {" + query.String() + " }\n" + sdl.String()})
	}
	if _, err := compose.Compose(srcs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := compose.Compose(srcs); err != nil {
			b.Fatal(err)
		}
	}
}

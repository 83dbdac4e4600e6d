package supergraph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func TestCanonicalIgnoresOrderAndFormatting(t *testing.T) {
	t.Parallel()
	a := `type B @x(a: 1, b: "s") @y { f(b: Int, a: String = "z"): [Int!] g: String }
enum E { Y X }
union U = B | C`
	b := `union U = C | B
enum E {
  X
  Y
}
type B @y @x(b: "s", a: 1) {
  g: String
  f(a: String = "z", b: Int): [Int!]
}`
	ca, err := Canonical(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := Canonical(b)
	if err != nil {
		t.Fatal(err)
	}
	if ca != cb {
		t.Fatalf("canonical forms differ:\n%s\n---\n%s", ca, cb)
	}
	cc, _ := Canonical(strings.Replace(a, "[Int!]", "[Int]", 1))
	if cc == ca {
		t.Fatal("a type change must change the canonical form")
	}
}

func TestPrintParsesForEveryJoinVersion(t *testing.T) {
	t.Parallel()
	for _, minor := range []int{3, 4, 5} {
		s := &Schema{
			JoinMinor: minor,
			Graphs:    []Graph{{Enum: "A", Name: "a", URL: "http://a"}},
			Types: []*Type{{
				Kind: ast.Object, Name: "Query", Description: "Root.",
				Directives: []Directive{{Name: "join__type", Args: []DirArg{{Name: "graph", Value: "A"}}}},
				Fields:     []*Field{{Name: "hello", Type: "String", Args: []*Arg{{Name: "name", Type: "String", Description: "Who."}}}},
			}},
		}
		out := Print(s)
		if _, err := Canonical(out); err != nil {
			t.Fatalf("join v0.%d: %v\n%s", minor, err, out)
		}
		if !strings.Contains(out, "join/v0."+string(rune('0'+minor))) {
			t.Fatalf("join v0.%d not linked:\n%s", minor, out)
		}
	}
}

func TestValueString(t *testing.T) {
	t.Parallel()
	v := &ast.Value{Kind: ast.ObjectValue, Children: ast.ChildValueList{
		{Name: "a", Value: &ast.Value{Kind: ast.ListValue, Children: ast.ChildValueList{{Value: &ast.Value{Kind: ast.StringValue, Raw: "x\"y"}}, {Value: &ast.Value{Kind: ast.IntValue, Raw: "2"}}}}},
		{Name: "b", Value: &ast.Value{Kind: ast.EnumValue, Raw: "ASC"}},
	}}
	if got, want := ValueString(v), `{a: ["x\"y", 2], b: ASC}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

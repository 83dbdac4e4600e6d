package cost

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

func loadSchema(t *testing.T) *Schema {
	t.Helper()
	return loadSchemaB(t)
}

func loadSchemaB(t testing.TB) *Schema {
	t.Helper()
	sdl, err := os.ReadFile("testdata/supergraph.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSchema(string(sdl))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func estimate(t *testing.T, s *Schema, query, vars string, listSize int) (float64, error) {
	t.Helper()
	op, err := ParseOperation(query, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := Variables([]byte(vars))
	if err != nil {
		t.Fatal(err)
	}
	return s.Estimate(op, v, listSize)
}

// TestEstimate checks the static estimate against figures computed by
// hand from testdata/supergraph.graphql (list size 10 where none is given).
func TestEstimate(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	cases := []struct {
		name, query, vars string
		want              float64
	}{
		// Query.product @cost 5 + price (Money 3) + color (Color 2) + id argument @cost 4.
		{"field, scalar, enum and argument weights", `{ product(id: "1") { id price color name } }`, ``, 14},
		// 10 products (default list size) of type weight 7.
		{"default list size", `{ all { id } }`, ``, 70},
		// assumedSize 3 × (7 + 10 reviews × 1).
		{"assumed size and nested default list", `{ assumed { name reviews { stars } } }`, ``, 51},
		{"slicing argument from a variable", `query($n: Int) { products(first: $n) { id } }`, `{"n": 4}`, 28},
		{"largest of two slicing arguments", `{ products(first: 2, last: 5) { id } }`, ``, 35},
		{"no slicing argument, not required: default size", `{ products { id } }`, ``, 70},
		{"slicing argument default from the schema", `{ top { id } }`, ``, 49},
		{"slicing argument given", `{ top(limit: 2) { id } }`, ``, 14},
		// Page 1 + items sized by first (5 × 7); total is a scalar.
		{"sized fields", `{ page(first: 5) { total items { id } } }`, ``, 36},
		// 7 + Filter input object (1 + color 6 + name 0).
		{"input object argument", `{ products(first: 1, filter: {color: RED, name: "x"}) { id } }`, ``, 14},
		{"input object from a variable", `query($f: Filter) { products(first: 1, filter: $f) { id } }`, `{"f": {"color": "GREEN"}}`, 14},
		// Mutation 10 + buy @cost 20.
		{"mutation", `mutation { buy(id: "1") { id } }`, ``, 30},
		{"expensive field", `{ products(first: 1) { expensive } }`, ``, 107},
		{"subscription", `subscription { priced { id } }`, ``, 7},
		{"interface with fragment", `{ node { id ... on Product { price } } }`, ``, 4},
		{"typename and introspection", `{ __typename }`, ``, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := estimate(t, s, c.query, c.vars, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("estimate = %v, want %v", got, c.want)
			}
		})
	}
}

func TestEstimateListSizeConfig(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	got, err := estimate(t, s, `{ all { id } }`, ``, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got != 21 {
		t.Fatalf("estimate = %v, want 21 (3 × 7)", got)
	}
}

func TestEstimateRequireOneSlicingArgument(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	for _, q := range []string{`{ page { total } }`, `query($n: Int) { page(first: $n) { total } }`} {
		_, err := estimate(t, s, q, `{}`, 10)
		if !errors.Is(err, ErrSlicingArgument) {
			t.Fatalf("%s: err = %v, want ErrSlicingArgument", q, err)
		}
	}
}

func TestActual(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	cases := []struct {
		name, query, data string
		want              float64
	}{
		// 2 products × 7 + 3 reviews × 1; null reviews cost nothing.
		{"list lengths", `{ all { id reviews { stars } } }`, `{"all":[{"id":"1","reviews":[{"stars":1},{"stars":2},{"stars":3}]},{"id":"2","reviews":null}]}`, 17},
		{"empty list", `{ all { id } }`, `{"all":[]}`, 0},
		{"weights and arguments", `{ product(id: "1") { price color } }`, `{"product":{"price":1,"color":"RED"}}`, 14},
		{"null object", `{ product(id: "1") { price } }`, `{"product":null}`, 4},
		{"mutation", `mutation { buy(id: "1") { id } }`, `{"buy":{"id":"1"}}`, 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			op, err := ParseOperation(c.query, "")
			if err != nil {
				t.Fatal(err)
			}
			var data any
			if err := json.Unmarshal([]byte(c.data), &data); err != nil {
				t.Fatal(err)
			}
			if got := s.Actual(op, nil, data); got != c.want {
				t.Fatalf("actual = %v, want %v", got, c.want)
			}
		})
	}
}

// TestRenamedAndUnlinked: the directives are found under the names the
// supergraph's @link gives them; without the link every element has its
// default cost.
func TestRenamedAndUnlinked(t *testing.T) {
	t.Parallel()
	renamed := `schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{name: "@cost", as: "@weight"}]) { query: Query }
type Query { items: [Int] @weight(weight: 2) @cost__listSize(assumedSize: 4) n: Int @cost(weight: 50) }`
	unlinked := `type Query { items: [Int] @cost(weight: 2) }`
	for _, c := range []struct {
		name, sdl, query string
		want             float64
	}{
		{"renamed", renamed, `{ items n }`, 8},
		{"unlinked", unlinked, `{ items }`, 0},
	} {
		s, err := NewSchema(c.sdl)
		if err != nil {
			t.Fatal(err)
		}
		got, err := estimate(t, s, c.query, ``, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Fatalf("%s: estimate = %v, want %v", c.name, got, c.want)
		}
	}
}

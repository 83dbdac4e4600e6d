package cost

import "testing"

// BenchmarkEstimate costs a nested operation with variables: the work
// done once per operation and variables (the engine keeps the result).
func BenchmarkEstimate(b *testing.B) {
	s := loadSchemaB(b)
	op, err := ParseOperation(`query($n: Int, $f: Filter) { products(first: $n, filter: $f) { id price color reviews { stars } } page(first: 5) { total items { name } } }`, "")
	if err != nil {
		b.Fatal(err)
	}
	vars, err := Variables([]byte(`{"n": 20, "f": {"color": "RED"}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Estimate(op, vars, 10); err != nil {
			b.Fatal(err)
		}
	}
}

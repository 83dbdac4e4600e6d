package merge

import (
	"reflect"
	"testing"
)

// TestDNFConjunction checks the combination of access-control requirements
// against results computed with Apollo's implementation.
func TestDNFConjunction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   [][][]string
		want [][]string
	}{
		{"one input is sorted", [][][]string{{{"b", "a"}, {"c"}}}, [][]string{{"a", "b"}, {"c"}}},
		{"same after sorting", [][][]string{{{"b", "a"}}, {{"a", "b"}}}, [][]string{{"a", "b"}}},
		{"and of two", [][][]string{{{"read:users"}, {"admin"}}, {{"read:users", "read:all"}}}, [][]string{{"read:all", "read:users"}}},
		{"implied dropped", [][][]string{{{"q"}, {"r"}}, {{"r"}, {"s", "q"}}}, [][]string{{"r"}, {"q", "s"}}},
		{"empty means no requirement", [][][]string{{}, {{"p"}}}, [][]string{{"p"}}},
		{"three", [][][]string{{{"b", "a"}}, {{"c"}}, {{"c"}, {"d"}}}, [][]string{{"a", "b", "c"}}},
		{"utf-16 order", [][][]string{{{"\U0001F600", "\uFFFD"}}}, [][]string{{"\U0001F600", "\uFFFD"}}},
		{"none", nil, [][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := dnfConjunction(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("dnfConjunction(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestImplies checks when meeting one set of requirements meets another,
// as Apollo's MISSING_TRANSITIVE_AUTH_REQUIREMENTS check decides it.
func TestImplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		first, second [][]string
		want          bool
	}{
		{"more scopes", [][]string{{"a", "b"}}, [][]string{{"a"}}, true},
		{"fewer scopes", [][]string{{"a"}}, [][]string{{"a", "b"}}, false},
		{"none needs none", nil, nil, true},
		{"one way falls short", [][]string{{"a"}, {"b"}}, [][]string{{"a"}}, false},
		{"nothing does not meet something", nil, [][]string{{"a"}}, false},
		{"empty list is no requirement", [][]string{{"a"}}, [][]string{}, true},
		{"either way meets one", [][]string{{"a", "c"}}, [][]string{{"b"}, {"c"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := implies(tt.first, tt.second); got != tt.want {
				t.Fatalf("implies(%q, %q) = %v, want %v", tt.first, tt.second, got, tt.want)
			}
		})
	}
}

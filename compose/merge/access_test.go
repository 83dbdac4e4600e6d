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

package subgraph

import "testing"

// TestParseContextRef checks the split of a @fromContext field value into
// context name and selection, which the supergraph keeps verbatim.
func TestParseContextRef(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, ctx, sel string
		ok           bool
	}{
		{"$user { locale }", "user", " { locale }", true},
		{"  $ user{ a { b } }", "user", "{ a { b } }", true},
		{"$acct ... on P { n }", "acct", " ... on P { n }", true},
		{"# note\n$c { x }", "c", " { x }", true},
		{"{ locale }", "", "", false},
		{"$user", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		ctx, sel, ok := ParseContextRef(c.in)
		if ctx != c.ctx || sel != c.sel || ok != c.ok {
			t.Errorf("ParseContextRef(%q) = %q, %q, %v; want %q, %q, %v", c.in, ctx, sel, ok, c.ctx, c.sel, c.ok)
		}
	}
}

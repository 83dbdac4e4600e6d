package limits

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cfg    Config
		query  string
		opName string
		code   string // "" means allowed
	}{
		{"depth within", Config{MaxDepth: 3}, `{ a { b { c } } }`, "", ""},
		{"depth over", Config{MaxDepth: 2}, `{ a { b { c } } }`, "", CodeMaxDepth},
		{"depth through fragment", Config{MaxDepth: 2}, `query { a { ...F } } fragment F on A { b { c } }`, "", CodeMaxDepth},
		{"depth through inline fragment", Config{MaxDepth: 2}, `{ a { ... on A { b { c } } } }`, "", CodeMaxDepth},
		{"depth of other operation ignored", Config{MaxDepth: 1}, `query Deep { a { b } } query Flat { a }`, "Flat", ""},
		{"depth of named operation counted", Config{MaxDepth: 1}, `query Deep { a { b } } query Flat { a }`, "Deep", CodeMaxDepth},
		{"fragment cycle refused", Config{MaxDepth: 5}, `{ a { ...F } } fragment F on A { b { ...F } }`, "", CodeValidationFailed},
		{"indirect fragment cycle refused", Config{MaxFields: 100}, `{ a { ...F } } fragment F on A { b ...G } fragment G on A { c ...F }`, "", CodeValidationFailed},
		{"duplicate fragment names refused", Config{MaxFields: 100}, `{ a { ...F } } fragment F on A { b } fragment F on A { c }`, "", CodeValidationFailed},
		{"fragment reused without a cycle", Config{MaxDepth: 5}, `{ a { ...F x { ...F } } } fragment F on A { b }`, "", ""},
		{"fields within", Config{MaxFields: 4}, `{ a { b c } d }`, "", ""},
		{"fields over", Config{MaxFields: 3}, `{ a { b c } d }`, "", CodeMaxFields},
		{"fields counted per spread", Config{MaxFields: 6}, `{ a { ...F ...F ...F } } fragment F on A { b c }`, "", CodeMaxFields},
		{"fields through inline fragments", Config{MaxFields: 3}, `{ a { ... on A { b ... { c d } } } }`, "", CodeMaxFields},
		{"fields of other operation ignored", Config{MaxFields: 2}, `query Big { a b c } query Small { a }`, "Small", ""},
		{"fragment fan-out", Config{MaxFields: 5000}, fanOut(25), "", CodeMaxFields},
		{"fragment fan-out of 100 levels saturates", Config{MaxFields: 5000}, fanOut(100), "", CodeMaxFields},
		{"small fan-out within", Config{MaxFields: 5000}, fanOut(8), "", ""},
		{"aliases within", Config{MaxAliases: 2}, `{ x: a y: a }`, "", ""},
		{"aliases over", Config{MaxAliases: 2}, `{ x: a y: a z: a }`, "", CodeMaxAliases},
		{"aliases in fragments", Config{MaxAliases: 1}, `{ ...F x: a } fragment F on Query { y: b }`, "", CodeMaxAliases},
		{"aliases counted per spread", Config{MaxAliases: 3}, `{ a { ...F ...F } } fragment F on A { x: b y: c }`, "", CodeMaxAliases},
		{"root fields within", Config{MaxRootFields: 2}, `{ a b }`, "", ""},
		{"root fields over", Config{MaxRootFields: 2}, `{ a b c }`, "", CodeMaxRootFields},
		{"root fields through fragment", Config{MaxRootFields: 2}, `{ a ...F } fragment F on Query { b c }`, "", CodeMaxRootFields},
		{"root fields through a fragment spread twice", Config{MaxRootFields: 3}, `{ a ...F ...F } fragment F on Query { b c }`, "", CodeMaxRootFields},
		{"tokens within", Config{MaxTokens: 4}, `{ a }`, "", ""},
		{"tokens over", Config{MaxTokens: 4}, `{ a { b } }`, "", CodeMaxTokens},
		{"tokens of huge document", Config{MaxTokens: 100}, "{" + strings.Repeat(" a", 100000) + " }", "", CodeMaxTokens},
		{"huge alias list named as aliases", Config{MaxTokens: 100, MaxAliases: 10}, "{" + strings.Repeat(" x: a", 10000) + " }", "", CodeMaxAliases},
		{"huge nesting named as depth", Config{MaxTokens: 100, MaxDepth: 10}, strings.Repeat("{ a ", 10000) + strings.Repeat("}", 10000), "", CodeMaxDepth},
		{"argument colons are not aliases", Config{MaxTokens: 20, MaxAliases: 1}, `query($v: Int = 1) { a(x: 1, y: {z: 2}) @d(w: 3) { b } c d e f g }`, "", CodeMaxTokens},
		{"object values are not depth", Config{MaxTokens: 30, MaxDepth: 2}, `{ a(x: {y: {z: {w: {v: 1}}}}) b c d e f g h i j k l m n o p }`, "", CodeMaxTokens},
		{"introspection allowed", Config{MaxDepth: 10}, `{ __schema { types { name } } }`, "", ""},
		{"introspection refused", Config{DisableIntrospection: true}, `{ __schema { types { name } } }`, "", CodeIntrospectionDisabled},
		{"__type refused in fragment", Config{DisableIntrospection: true}, `{ ...F } fragment F on Query { __type(name: "A") { name } }`, "", CodeIntrospectionDisabled},
		{"__typename allowed", Config{DisableIntrospection: true}, `{ __typename a { __typename } }`, "", ""},
		{"unparsable passes to the engine", Config{MaxDepth: 1}, `{ a { `, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := New(tc.cfg)
			for i := 0; i < 2; i++ { // the second round hits the verdict cache
				err := c.Check(tc.query, tc.opName)
				switch {
				case tc.code == "" && err != nil:
					t.Fatalf("round %d: refused: %v", i, err)
				case tc.code != "" && err == nil:
					t.Fatalf("round %d: allowed, want %s", i, tc.code)
				case tc.code != "" && err.Errors[0].Extensions["code"] != tc.code:
					t.Fatalf("round %d: code %v, want %s", i, err.Errors[0].Extensions["code"], tc.code)
				}
			}
		})
	}
}

func TestEnabled(t *testing.T) {
	t.Parallel()
	if (Config{}).Enabled() {
		t.Fatal("zero config must be disabled")
	}
	if !(Config{MaxTokens: 1}).Enabled() || !(Config{DisableIntrospection: true}).Enabled() {
		t.Fatal("any rule enables the checker")
	}
}

func TestCacheBounded(t *testing.T) {
	t.Parallel()
	c := New(Config{MaxDepth: 3})
	for i := 0; i < maxCached*2; i++ {
		_ = c.Check("{ a"+strings.Repeat(" b", i%7)+" }", strings.Repeat("x", i))
	}
	if n := len(c.cache); n > maxCached {
		t.Fatalf("cache holds %d verdicts, limit %d", n, maxCached)
	}
}

// fanOut is the hostile document found by a probe: about 1.5 KB at 25
// levels, each fragment spreading the next one twice, so the operation
// selects 2^(levels+1) fields once its fragments are expanded while its
// depth (2), aliases (none) and root fields (one) stay tiny.
func fanOut(levels int) string {
	var b strings.Builder
	b.WriteString("{ products { ...F0 } }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Product { _id ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Product { _id }\n", levels)
	return b.String()
}

// selections counts the selections written in a document, without
// following fragment spreads.
func selections(t *testing.T, query string) int {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(ast.SelectionSet) int
	walk = func(set ast.SelectionSet) int {
		n := len(set)
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				n += walk(s.SelectionSet)
			case *ast.InlineFragment:
				n += walk(s.SelectionSet)
			}
		}
		return n
	}
	n := 0
	for _, op := range doc.Operations {
		n += walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += walk(f.SelectionSet)
	}
	return n
}

// TestFanOutWorkIsLinear checks that the checker's work is bounded by the
// document, not by the operation it expands to: each fragment is walked
// once however often it is spread.
func TestFanOutWorkIsLinear(t *testing.T) {
	t.Parallel()
	for _, levels := range []int{15, 25, 40} {
		q := fanOut(levels)
		c := New(Config{MaxDepth: 64, MaxAliases: 30, MaxRootFields: 500, MaxTokens: 15000, MaxFields: 5000})
		re, visits := c.check(q, "")
		if re == nil || re.Errors[0].Extensions["code"] != CodeMaxFields {
			t.Fatalf("%d levels: want %s, got %v", levels, CodeMaxFields, re)
		}
		if n := selections(t, q); visits > n {
			t.Fatalf("%d levels: walked %d selections, the document has %d", levels, visits, n)
		}
	}
}

// TestFieldCount checks the expanded field count itself, including its
// saturation instead of overflow.
func TestFieldCount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query       string
		fields, top int64
		depth       int
	}{
		{`{ a { b c } d }`, 4, 2, 2},
		{`{ a { ...F ...F } } fragment F on A { b { c } }`, 5, 1, 3},
		{fanOut(25), 1 << 26, 1, 2},
		{fanOut(61), 1 << 62, 1, 2},
		{fanOut(62), math.MaxInt64, 1, 2},
		{fanOut(200), math.MaxInt64, 1, 2},
	}
	for _, tc := range cases {
		doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
		if err != nil {
			t.Fatal(err)
		}
		m, err := newMeasurer(doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.set(doc.Operations[0].SelectionSet)
		if err != nil {
			t.Fatal(err)
		}
		if got.fields != tc.fields || got.top != tc.top || got.depth != tc.depth {
			t.Errorf("%.40q: got fields %d, top %d, depth %d; want %d, %d, %d", tc.query, got.fields, got.top, got.depth, tc.fields, tc.top, tc.depth)
		}
	}
}

// BenchmarkFanOut measures the checker on the fan-out document: its cost
// grows with the document (levels), not with the 2^levels fields the
// operation expands to.
func BenchmarkFanOut(b *testing.B) {
	for _, levels := range []int{10, 20, 25, 40} {
		q := fanOut(levels)
		b.Run(fmt.Sprintf("levels=%d", levels), func(b *testing.B) {
			c := New(Config{MaxDepth: 64, MaxAliases: 30, MaxRootFields: 500, MaxTokens: 15000, MaxFields: 5000})
			b.SetBytes(int64(len(q)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.check(q, "")
			}
		})
	}
}

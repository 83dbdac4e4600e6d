package limits

import (
	"strings"
	"testing"
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
		{"fragment cycle terminates", Config{MaxDepth: 5}, `{ a { ...F } } fragment F on A { b { ...F } }`, "", ""},
		{"aliases within", Config{MaxAliases: 2}, `{ x: a y: a }`, "", ""},
		{"aliases over", Config{MaxAliases: 2}, `{ x: a y: a z: a }`, "", CodeMaxAliases},
		{"aliases in fragments", Config{MaxAliases: 1}, `{ ...F x: a } fragment F on Query { y: b }`, "", CodeMaxAliases},
		{"root fields within", Config{MaxRootFields: 2}, `{ a b }`, "", ""},
		{"root fields over", Config{MaxRootFields: 2}, `{ a b c }`, "", CodeMaxRootFields},
		{"root fields through fragment", Config{MaxRootFields: 2}, `{ a ...F } fragment F on Query { b c }`, "", CodeMaxRootFields},
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

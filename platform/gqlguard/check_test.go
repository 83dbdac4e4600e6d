package gqlguard

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// repeat joins n copies of s, each formatted with its index.
func repeat(n int, format string) string {
	var b strings.Builder
	for i := range n {
		if strings.Contains(format, "%d") {
			fmt.Fprintf(&b, format, i)
		} else {
			b.WriteString(format)
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// TestOperationLimits sends one document per rule just over its limit
// and one just within it; refused documents are never validated.
func TestOperationLimits(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.MaxDepth, l.MaxAliases, l.MaxRootFields, l.MaxTokens, l.MaxFields, l.MaxFieldRepeats = 4, 5, 6, 200, 20, 3
	l.MaxComplexity = 0
	f := newFixture(t, l)
	nest := func(n int) string {
		return "{ products { " + strings.Repeat("related { ", n-2) + "name" + strings.Repeat(" }", n-1) + " }"
	}
	cases := []struct {
		name, query, code string
	}{
		{"depth within", nest(4), ""},
		{"depth over", nest(5), CodeMaxDepth},
		{"depth through a fragment", "{ products { ...R } } fragment R on Product { related { related { related { name } } } }", CodeMaxDepth},
		{"aliases within", "{ products { " + repeat(5, "a%d: name") + "} }", ""},
		{"aliases over", "{ products { " + repeat(6, "a%d: name") + "} }", CodeMaxAliases},
		{"aliases through a fragment used twice", "{ products { ...A } products { ...A } } fragment A on Product { a1: name a2: name a3: name }", CodeMaxAliases},
		{"root fields within", "{ " + repeat(3, "hello") + repeat(3, "__typename") + "}", ""},
		{"root fields over", "{ " + repeat(3, "hello") + repeat(4, "__typename") + "}", CodeMaxRootFields},
		{"tokens over", "{ products { " + repeat(200, "name") + "} }", CodeMaxTokens},
		{"fields within", "{ " + repeat(2, "products { id name related { id name related { id name } } }") + "}", ""},
		{"fields over", "{ " + repeat(3, "products { id name related { id name related { id name } } }") + "}", CodeMaxFields},
		{"repeats within", "{ products { " + repeat(3, "name") + "} }", ""},
		{"repeats over", "{ products { " + repeat(4, "name") + "} }", CodeMaxFieldRepeats},
		{"repeats across parents", "{ products { related { name } } products { related { name } } products { related { name } } products { id } }", CodeMaxFieldRepeats},
		{"repeats through fragments", "{ products { ...A ...B } } fragment A on Product { id name } fragment B on Product { ...C name } fragment C on Product { name }", ""},
		{"repeats through fragments over", "{ products { ...A ...B name } } fragment A on Product { id name } fragment B on Product { ...C name } fragment C on Product { name }", CodeMaxFieldRepeats},
		{"unused fragment counts", "{ hello } fragment U on Product { " + repeat(4, "name") + "}", CodeMaxFieldRepeats},
	}
	for _, tc := range cases {
		before := f.guard.Stats()
		r := f.query(t, tc.query, nil)
		// Documents within the limits may still fail validation.
		if r.code() != tc.code && (tc.code != "" || r.code() != "GRAPHQL_VALIDATION_FAILED") {
			t.Errorf("%s: code %q, want %q (%s)", tc.name, r.code(), tc.code, r.Raw)
			continue
		}
		after := f.guard.Stats()
		if tc.code != "" && after.Validated != before.Validated {
			t.Errorf("%s: refused but validated", tc.name)
		}
	}
}

// TestTypenameFloodRefusedUnvalidated is the probe's document: 10,000
// `__typename` (110 KB), which gqlparser takes 20+ seconds to validate.
// It is refused with the root-field code without being validated; nested
// one level it is refused for its field count.
func TestTypenameFloodRefusedUnvalidated(t *testing.T) {
	t.Parallel()
	f := newFixture(t, DefaultLimits())
	flood := strings.Repeat("__typename ", 10000)
	for _, tc := range []struct{ query, code string }{
		{"{ " + flood + "}", CodeMaxRootFields},
		{"{ products { " + flood + "} }", CodeMaxFields},
		{"{ products { " + strings.Repeat("name ", 1000) + "} }", CodeMaxFieldRepeats},
	} {
		began := time.Now()
		r := f.query(t, tc.query, nil)
		if r.code() != tc.code {
			t.Fatalf("code %q, want %q: %.300s", r.code(), tc.code, r.Raw)
		}
		// A generous bound: validating it takes 20 s or more.
		if d := time.Since(began); d > 5*time.Second {
			t.Fatalf("refusal took %s", d)
		}
	}
	if s := f.guard.Stats(); s.Validated != 0 || s.Refused != 3 {
		t.Fatalf("stats %+v: refused documents must not be validated", s)
	}
}

// TestFragmentFanOutRefused expands to 2^30 fields through 30 fragments
// each spreading the next twice: measured per fragment, it is refused
// after a few hundred steps.
func TestFragmentFanOutRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, DefaultLimits())
	var b strings.Builder
	b.WriteString("{ products { ...F0 } }")
	for i := range 30 {
		fmt.Fprintf(&b, " fragment F%d on Product { ...F%d ...F%d }", i, i+1, i+1)
	}
	b.WriteString(" fragment F30 on Product { name }")
	began := time.Now()
	r := f.query(t, b.String(), nil)
	if r.code() != CodeMaxFields || !strings.Contains(r.Errors[0].Message, "1073741825 fields") {
		t.Fatalf("fan-out: %s", r.Raw)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("refusal took %s", d)
	}
	if s := f.guard.Stats(); s.Validated != 0 {
		t.Fatalf("validated a refused document: %+v", s)
	}
	// A cycle is not followed forever; validation reports it.
	r = f.query(t, "{ products { ...A } } fragment A on Product { ...B } fragment B on Product { name ...A }", nil)
	if r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("cycle: %s", r.Raw)
	}
}

// TestTokenLimitMessage pins the gqlparser message tokenLimitError
// recognises.
func TestTokenLimitMessage(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.MaxTokens = 10
	f := newFixture(t, l)
	r := f.query(t, "{ "+repeat(20, "hello")+"}", nil)
	if r.code() != CodeMaxTokens {
		t.Fatalf("code %q: %s", r.code(), r.Raw)
	}
}

package gqlguard

import (
	"net/http"
	"strings"
	"testing"
)

// TestIntrospectionSwitch: off refuses __schema and __type (also inside
// fragments) and keeps _service; on lets both through.
func TestIntrospectionSwitch(t *testing.T) {
	t.Parallel()
	off := DefaultLimits()
	off.Introspection = false
	f := newFixture(t, off)
	for _, q := range []string{
		"{ __schema { queryType { name } } }",
		`{ __type(name: "Product") { name } }`,
		"{ ...I } fragment I on Query { __schema { types { name } } }",
	} {
		if r := f.query(t, q, nil); r.code() != CodeIntrospectionDisabled {
			t.Fatalf("%s: %s", q, r.Raw)
		}
	}
	if r := f.query(t, "{ _service { sdl } __typename }", nil); len(r.Errors) > 0 || !f.introspectionOn.Load() {
		t.Fatalf("_service refused with introspection off: %s", r.Raw)
	}
	on := newFixture(t, DefaultLimits())
	if r := on.query(t, "{ __schema { queryType { name } } }", nil); len(r.Errors) > 0 {
		t.Fatalf("introspection on: %s", r.Raw)
	}
}

// TestComplexityCountsListsAndEntities: list fields multiply their
// selection by their take (default 20, at most 100) and _entities by its
// representations.
func TestComplexityCountsListsAndEntities(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.MaxComplexity = 5000
	f := newFixture(t, l)
	// 1 + 20 * (1 + 20 * 1) = 421
	if r := f.query(t, "{ products { related { id } } }", nil); len(r.Errors) > 0 {
		t.Fatalf("default takes: %s", r.Raw)
	}
	// 1 + 100 * (1 + 100 * 1) = 10101, also when take is a variable or
	// asks for more than the cap.
	for _, vars := range []map[string]any{{"t": 100}, {"t": 1 << 30}} {
		r := f.query(t, "query($t: Int) { products(take: $t) { related(take: $t) { id } } }", vars)
		if r.code() != CodeComplexity || !strings.Contains(r.Errors[0].Message, "10101") {
			t.Fatalf("take %v: %s", vars, r.Raw)
		}
	}
	reps := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"__typename": "Product", "id": "p"}
		}
		return out
	}
	const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name } } }`
	// A router batch of 1,000 entities: 1 + 1000 * 2.
	if r := f.query(t, entities, map[string]any{"r": reps(1000)}); len(r.Errors) > 0 {
		t.Fatalf("1,000 representations: %s", r.Raw)
	}
	if r := f.query(t, entities, map[string]any{"r": reps(3000)}); r.code() != CodeComplexity || !strings.Contains(r.Errors[0].Message, "6001") {
		t.Fatalf("3,000 representations: %s", r.Raw)
	}
}

// TestValidatedOnce: a new document is parsed and validated once, by the
// guard; later requests take it from the shared cache.
func TestValidatedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, DefaultLimits())
	for range 3 {
		if r := f.query(t, "{ products { id } }", nil); len(r.Errors) > 0 {
			t.Fatal(string(r.Raw))
		}
	}
	if s := f.guard.Stats(); s.Parsed != 1 || s.Validated != 1 {
		t.Fatalf("stats %+v, want one parse and one validation", s)
	}
	// Invalid documents are not cached: gqlgen reports their errors.
	r := f.query(t, "{ nope }", nil)
	if r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("invalid: %s", r.Raw)
	}
}

// TestBadBodiesNotEchoed: gqlgen answers a body it cannot decode with the
// whole body in its message; the guard answers 400 with a short one.
func TestBadBodiesNotEchoed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, DefaultLimits())
	pad := strings.Repeat("secret-pad-", 20000)
	for _, body := range []string{
		`{"query": 42, "variables": {"pad": "` + pad + `"}}`,
		`{"query": "{ hello }", "variables": ["` + pad + `"]}`,
		`["` + pad + `"]`,
		`{"query": "{ hello }", "variables": {"pad": "` + pad + `"`,
	} {
		r := f.post(t, []byte(body))
		if r.Status != http.StatusBadRequest || r.code() != CodeBadRequest || len(r.Raw) > 512 || strings.Contains(string(r.Raw), "secret-pad") {
			t.Fatalf("status %d, %d bytes: %.200s", r.Status, len(r.Raw), r.Raw)
		}
	}
	// Trailing data after the object is ignored, as gqlgen does.
	if r := f.post(t, []byte(`{"query": "{ hello }"} trailing`)); len(r.Errors) > 0 {
		t.Fatalf("trailing data: %s", r.Raw)
	}
}

// TestLongMessagesCut: parse errors quote the offending token; a
// 200 KB string literal must not come back.
func TestLongMessagesCut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, DefaultLimits())
	r := f.query(t, `{ "`+strings.Repeat("x", 200_000)+`" }`, nil)
	if r.code() != "GRAPHQL_PARSE_FAILED" || len(r.Errors[0].Message) > MaxMessageBytes || len(r.Raw) > 1024 {
		t.Fatalf("%d bytes: %.300s", len(r.Raw), r.Raw)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env   map[string]string
		prod  bool
		intro bool
	}{
		{map[string]string{}, false, true},
		{map[string]string{}, true, false},
		{map[string]string{"GRAPHQL_INTROSPECTION": "true"}, true, true},
		{map[string]string{"GRAPHQL_INTROSPECTION": "false"}, false, false},
	} {
		env := configFromMap(tc.env)
		if l := Load(env, tc.prod); l.Introspection != tc.intro || env.Err() != nil {
			t.Fatalf("%v production=%t: introspection %t, err %v", tc.env, tc.prod, l.Introspection, env.Err())
		}
	}
	env := configFromMap(map[string]string{"GRAPHQL_MAX_FIELDS": "-1", "GRAPHQL_MAX_DEPTH": "x", "GRAPHQL_MAX_COMPLEXITY": "9"})
	l := Load(env, false)
	err := env.Err()
	if err == nil || !strings.Contains(err.Error(), "GRAPHQL_MAX_FIELDS") || !strings.Contains(err.Error(), "GRAPHQL_MAX_DEPTH") || l.MaxComplexity != 9 {
		t.Fatalf("err %v, limits %+v", err, l)
	}
}

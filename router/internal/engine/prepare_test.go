package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// TestNewVariableValuesReuseNormalization checks that an operation is
// parsed, normalized and validated once whatever its variable values: a
// thousand requests with distinct ids make one normalization, one cached
// normalized operation and one plan, and each still gets its own answer.
func TestNewVariableValuesReuseNormalization(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	const q = `query P($id: ID!) { product(id: $id) { id name } }`
	for i := 0; i < 1000; i++ {
		p := e.prepare(&Request{Query: q, Variables: []byte(fmt.Sprintf(`{"id":"%d"}`, i))})
		if p.err != nil {
			t.Fatalf("request %d: %v", i, p.err)
		}
		if cp := e.planFor(p, ""); cp.err != nil {
			t.Fatalf("request %d: plan: %v", i, cp.err)
		}
	}
	if n := e.normalizations.Load(); n != 1 {
		t.Fatalf("normalizations: %d, want 1", n)
	}
	if n := e.norms.len(); n != 1 {
		t.Fatalf("normalized operations cached: %d, want 1", n)
	}
	if n := e.plans.len(); n != 1 {
		t.Fatalf("plans cached: %d, want 1", n)
	}
	for id, want := range map[string]string{
		"1": `{"data":{"product":{"id":"1","name":"chair"}}}`,
		"2": `{"data":{"product":{"id":"2","name":"table"}}}`,
		"3": `{"data":{"product":null}}`,
	} {
		got, err := run(t, e, q, `{"id":"`+id+`"}`, nil, ExecOptions{})
		if err != nil || got != want {
			t.Fatalf("id %s: got %s (%v), want %s", id, got, err, want)
		}
	}
}

// TestConditionValuesSelectTheNormalization checks that @skip/@include
// values, unlike other variables, choose the normalized operation: each
// combination is normalized once and answers with its own fields.
func TestConditionValuesSelectTheNormalization(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	const q = `query($id: ID!, $skip: Boolean!, $inc: Boolean = false) {
		product(id: $id) { id price @skip(if: $skip) name @include(if: $inc) }
	}`
	cases := []struct{ vars, want string }{
		{`{"id":"1","skip":true}`, `{"data":{"product":{"id":"1"}}}`},
		{`{"id":"1","skip":false}`, `{"data":{"product":{"id":"1","price":40}}}`},
		{`{"id":"2","skip":false,"inc":true}`, `{"data":{"product":{"id":"2","price":90,"name":"table"}}}`},
		{`{"id":"2","skip":true,"inc":false}`, `{"data":{"product":{"id":"2"}}}`},
		// A missing condition with a default is left to execution.
		{`{"id":"2","skip":true}`, `{"data":{"product":{"id":"2"}}}`},
	}
	normalized := map[string]bool{}
	for round := 0; round < 2; round++ {
		for _, tc := range cases {
			got, err := run(t, e, q, tc.vars, nil, ExecOptions{})
			if err != nil || got != tc.want {
				t.Fatalf("vars %s: got %s (%v), want %s", tc.vars, got, err, tc.want)
			}
			normalized[e.prepare(&Request{Query: q, Variables: []byte(tc.vars)}).normalized] = true
		}
	}
	// Four combinations of (skip, inc): (true, missing), (false, missing),
	// (false, true), (true, false); the repeated round adds none.
	if n := e.normalizations.Load(); n != 4 {
		t.Fatalf("normalizations: %d, want one per condition combination (4)", n)
	}
	if len(normalized) < 3 {
		t.Fatalf("distinct normalized operations: %d, want at least 3: %v", len(normalized), normalized)
	}
	if n := len(sgs.B.Requests()); n != 4 {
		t.Fatalf("subgraph b requests: %d, want 4 (only where price is selected)", n)
	}
}

// TestRemovedFieldsTakeTheirVariables checks that a variable serving only
// a field that @include removed is dropped with it, on a cached
// normalization too: it is neither required nor sent on.
func TestRemovedFieldsTakeTheirVariables(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	const q = `query($id: ID!, $inc: Boolean!) { products { id } product(id: $id) @include(if: $inc) { name } }`
	for _, vars := range []string{`{"inc":false,"id":"1"}`, `{"inc":false,"id":"2"}`, `{"inc":false}`} {
		p := e.prepare(&Request{Query: q, Variables: []byte(vars)})
		if p.err != nil {
			t.Fatalf("vars %s: %v", vars, p.err)
		}
		if strings.Contains(string(p.variables), `"id"`) {
			t.Fatalf("vars %s: variables %s still carry the removed field's id", vars, p.variables)
		}
	}
	if _, err := run(t, e, q, `{"inc":true}`, nil, ExecOptions{}); err == nil {
		t.Fatal("missing $id with the field included: want an error")
	}
	got, err := run(t, e, q, `{"inc":true,"id":"2"}`, nil, ExecOptions{})
	if want := `{"data":{"products":[{"id":"1"},{"id":"2"}],"product":{"name":"table"}}}`; err != nil || got != want {
		t.Fatalf("got %s (%v), want %s", got, err, want)
	}
}

// TestLiteralsAndVariablesMerge checks that literals extracted from the
// cached operation and the request's own variables both reach the subgraph.
func TestLiteralsAndVariablesMerge(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	const q = `query($id: ID!) { a: product(id: $id) { name } b: product(id: "2") { name } }`
	for id, a := range map[string]string{"1": `{"name":"chair"}`, "2": `{"name":"table"}`, "9": `null`} {
		got, err := run(t, e, q, `{"id":"`+id+`"}`, nil, ExecOptions{})
		want := `{"data":{"a":` + a + `,"b":{"name":"table"}}}`
		if err != nil || got != want {
			t.Fatalf("id %s: got %s (%v), want %s", id, got, err, want)
		}
	}
}

// TestCachedNormalizationStillValidatesVariables checks that variables are
// validated on every request, not only when the document is normalized.
func TestCachedNormalizationStillValidatesVariables(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	const q = `query($id: ID!) { product(id: $id) { name } }`
	if _, err := run(t, e, q, `{"id":"1"}`, nil, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, vars := range []string{`{}`, `{"id":null}`, `{"id":{"x":1}}`, `{"id":[1,2]}`, `[1]`} {
		_, err := run(t, e, q, vars, nil, ExecOptions{})
		re, ok := AsRequestError(err)
		if !ok || re.Kind != KindVariables || re.Errors[0].Extensions["code"] != codeBadUserInput {
			t.Fatalf("vars %s: got %v, want a %s variables error", vars, err, codeBadUserInput)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ints, err := New(ctx, Options{SupergraphSDL: intSupergraph})
	if err != nil {
		t.Fatal(err)
	}
	const iq = `query($first: Int, $ids: [Int!]) { items(first: $first, ids: $ids) }`
	if p := ints.prepare(&Request{Query: iq, Variables: []byte(`{"first":1,"ids":2}`)}); p.err != nil {
		t.Fatal(p.err)
	} else if got := string(p.variables); got != `{"first":1,"ids":[2]}` {
		t.Fatalf("single value not coerced into a list: %s", got)
	}
	for _, vars := range []string{`{"first":2147483648}`, `{"ids":[1,1.5]}`, `{"first":"x"}`} {
		p := ints.prepare(&Request{Query: iq, Variables: []byte(vars)})
		if p.err == nil || p.err.Kind != KindVariables || p.err.Errors[0].Extensions["code"] != codeBadUserInput {
			t.Fatalf("vars %s: got %v, want a %s variables error", vars, p.err, codeBadUserInput)
		}
	}
	if n := ints.normalizations.Load(); n != 1 {
		t.Fatalf("normalizations: %d, want 1", n)
	}
}

package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

func newTestEngine(t *testing.T, sgs *enginetest.Subgraphs, mod func(*Options)) *Engine {
	t.Helper()
	o := Options{
		SupergraphSDL:  enginetest.Supergraph,
		SubgraphURLs:   sgs.URLs,
		ForwardHeaders: []string{"Authorization", "X-Api-Key", "X-Api-Token"},
	}
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e, err := New(ctx, o)
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	return e
}

func run(t *testing.T, e *Engine, query, vars string, header http.Header, o ExecOptions) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	req := &Request{Query: query}
	if vars != "" {
		req.Variables = []byte(vars)
	}
	err := e.Execute(context.Background(), req, header, &buf, o)
	return buf.String(), err
}

func TestExecute(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	tests := []struct {
		name, query, vars string
		want              string
		kind              ErrorKind
		o                 ExecOptions
	}{
		{name: "entity join", query: `{ products { id name price } }`,
			want: `{"data":{"products":[{"id":"1","name":"chair","price":40},{"id":"2","name":"table","price":90}]}}`},
		{name: "variables and literals", query: `query($id: ID!) { product(id: $id) { name price } }`, vars: `{"id":"2"}`,
			want: `{"data":{"product":{"name":"table","price":90}}}`},
		{name: "typename", query: `{ product(id: "1") { __typename id } }`,
			want: `{"data":{"product":{"__typename":"Product","id":"1"}}}`},
		{name: "inaccessible field is rejected", query: `{ products { cost } }`, kind: KindValidation},
		{name: "unknown field", query: `{ nope }`, kind: KindValidation},
		{name: "syntax error", query: `{ products { id `, kind: KindParse},
		{name: "missing variable", query: `query($id: ID!) { product(id: $id) { id } }`, kind: KindVariables},
		{name: "mutation over GET", query: `mutation { rename(id: "1", name: "x") { id } }`, kind: KindMethodNotAllowed, o: ExecOptions{QueriesOnly: true}},
		{name: "ambiguous operation", query: `query A { whoami } query B { whoami }`, kind: KindBadRequest},
		{name: "introspection hides inaccessible", query: `{ __type(name: "Product") { fields { name } } }`,
			want: `{"data":{"__type":{"fields":[{"name":"id"},{"name":"name"},{"name":"price"}]}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, e, tc.query, tc.vars, nil, tc.o)
			if tc.kind != 0 {
				re, ok := AsRequestError(err)
				if !ok || re.Kind != tc.kind {
					t.Fatalf("got err %v (%T), want request error kind %d", err, err, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatalf("execute: %v", err)
			}
			if got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSkipIncludeNeverFetches(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	q := `query($skip: Boolean!, $inc: Boolean!) { products { id price @skip(if: $skip) cost: price @include(if: $inc) } }`
	got, err := run(t, e, q, `{"skip":true,"inc":false}`, nil, ExecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"data":{"products":[{"id":"1"},{"id":"2"}]}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if n := len(sgs.B.Requests()); n != 0 {
		t.Fatalf("subgraph b received %d requests for skipped fields", n)
	}
	// The same document with other directive values is a different
	// normalized operation and fetches the field.
	got, err = run(t, e, q, `{"skip":false,"inc":false}`, nil, ExecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"data":{"products":[{"id":"1","price":40},{"id":"2","price":90}]}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestEntityFetchesAreBatched(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	if _, err := run(t, e, `{ products { price } }`, "", nil, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	reqs := sgs.B.Requests()
	if len(reqs) != 1 || len(reqs[0].Representations()) != 2 {
		t.Fatalf("want one batched _entities request with 2 representations, got %d requests: %+v", len(reqs), reqs)
	}
}

func TestMutationsRunInOrder(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	got, err := run(t, e, `mutation { a: rename(id: "1", name: "one") { name } b: rename(id: "1", name: "two") { name } c: rename(id: "1", name: "three") { name } }`, "", nil, ExecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"data":{"a":{"name":"one"},"b":{"name":"two"},"c":{"name":"three"}}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestHeaderPropagation(t *testing.T) {
	t.Parallel()
	in := http.Header{}
	in.Set("Authorization", "Bearer t1")
	in.Set("X-Api-Key", "k")
	in.Set("X-Api-Token", "tok")
	in.Set("Cookie", "session=secret")
	in.Set("X-Custom", "c")
	tests := []struct {
		name    string
		forward []string
		want    string
	}{
		{"defaults", []string{"Authorization", "X-Api-Key", "X-Api-Token"}, "Authorization=Bearer t1;X-Api-Key=k;X-Api-Token=tok"},
		{"custom list", []string{"x-custom"}, "X-Custom=c"},
		{"nothing", nil, ""},
	}
	sgs := enginetest.Start(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEngine(t, sgs, func(o *Options) { o.ForwardHeaders = tc.forward })
			got, err := run(t, e, `{ whoami }`, "", in, ExecOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(`{"data":{"whoami":%q}}`, tc.want); got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
}

// TestDeduplicationKeepsCallersApart runs the same query concurrently for
// different callers: deduplication may merge identical requests, never
// requests with different forwarded credentials.
func TestDeduplicationKeepsCallersApart(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			h := http.Header{}
			token := fmt.Sprintf("Bearer user%d", i%4)
			h.Set("Authorization", token)
			var buf bytes.Buffer
			if err := e.Execute(context.Background(), &Request{Query: `{ whoami }`}, h, &buf, ExecOptions{}); err != nil {
				errs <- err
				return
			}
			if want := fmt.Sprintf(`{"data":{"whoami":"Authorization=%s"}}`, token); buf.String() != want {
				errs <- fmt.Errorf("got %s, want %s", buf.String(), want)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOperationsArePlannedOnce(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	for _, id := range []string{"1", "2", "1"} {
		if _, err := run(t, e, fmt.Sprintf(`{ product(id: %q) { name price } }`, id), "", nil, ExecOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Literals are extracted into variables: both ids share one plan, and
	// the repeated request is served from the operation cache.
	if n := e.plans.len(); n != 1 {
		t.Fatalf("plans cached: %d, want 1", n)
	}
	if n := e.ops.len(); n != 2 {
		t.Fatalf("operations cached: %d, want 2", n)
	}
}

func TestSubgraphResponseSizeCap(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, func(o *Options) { o.HTTP.MaxResponseBytes = 16 })
	got, err := run(t, e, `{ products { id } }`, "", nil, ExecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"errors"`) || !strings.Contains(got, `"data":null`) {
		t.Fatalf("want a fetch error for the oversized response, got %s", got)
	}
}

// TestEndedContextStopsBeforeFetching checks that a request whose client
// went away (or whose deadline passed) while it was being prepared or
// planned sends nothing to the subgraphs and reports the context's error,
// rather than resolving into "failed to fetch" errors nobody reads.
func TestEndedContextStopsBeforeFetching(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, nil)
	for _, end := range []struct {
		name string
		ctx  func() context.Context
		want error
	}{
		{"client gone", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, context.Canceled},
		{"deadline passed", func() context.Context {
			ctx, cancel := context.WithTimeout(context.Background(), 0)
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
	} {
		var buf bytes.Buffer
		err := e.Execute(end.ctx(), &Request{Query: `{ products { id price } }`}, nil, &buf, ExecOptions{})
		if !errors.Is(err, end.want) || buf.Len() != 0 {
			t.Fatalf("%s: got %v and %q, want %v and nothing written", end.name, err, buf.String(), end.want)
		}
		if n := len(sgs.A.Requests()) + len(sgs.B.Requests()); n != 0 {
			t.Fatalf("%s: %d subgraph requests", end.name, n)
		}
	}
}

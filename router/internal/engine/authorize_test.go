package engine

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/authz"
	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

func newAuthzTestEngine(t *testing.T, sgs *enginetest.Subgraphs) *Engine {
	t.Helper()
	return newTestEngine(t, sgs, func(o *Options) {
		o.SupergraphSDL = authzSupergraph(t)
		o.Authorization = authz.Config{Directives: true}
	})
}

func execAs(ctx context.Context, e *Engine, query string) (string, error) {
	var buf bytes.Buffer
	err := e.Execute(ctx, &Request{Query: query}, nil, &buf, ExecOptions{})
	return buf.String(), err
}

// An unauthorized mutation field is never sent: its side effect does
// not happen.
func TestAuthorizeMutation(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newAuthzTestEngine(t, sgs)
	got, err := execAs(context.Background(), e, `mutation { rename(id: "1", name: "stolen") { name } }`)
	want := `{"errors":[{"message":"Unauthorized to load field 'Mutation.rename'.","path":["rename"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"rename":null}}`
	if err != nil || got != want {
		t.Fatalf("got %s %v\nwant %s", got, err, want)
	}
	if n := len(sgs.A.Requests()); n != 0 {
		t.Fatalf("subgraph a got %d requests", n)
	}
	user := authn.WithClaims(context.Background(), authn.Claims{"sub": "u1"})
	if got, err = execAs(user, e, `mutation { rename(id: "1", name: "mine") { name } }`); err != nil || got != `{"data":{"rename":{"name":"mine"}}}` {
		t.Fatalf("authenticated: %s %v", got, err)
	}
}

// Requests of different principals for the same operation, at once, each
// get their own answer: neither the decision, the plan nor an in-flight
// response is shared across them.
func TestAuthorizeConcurrentPrincipals(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newAuthzTestEngine(t, sgs)
	const q = `{ products { id price } }`
	cases := []struct {
		ctx  context.Context
		want string
	}{
		{context.Background(), `{"errors":[{"message":"Unauthorized to load field 'Query.products.price'.","path":["products",0,"price"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},{"message":"Unauthorized to load field 'Query.products.price'.","path":["products",1,"price"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"products":[{"id":"1","price":null},{"id":"2","price":null}]}}`},
		{authn.WithClaims(context.Background(), authn.Claims{"scope": "prices"}), `{"data":{"products":[{"id":"1","price":40},{"id":"2","price":90}]}}`},
		{authn.WithClaims(context.Background(), authn.Claims{"scope": "other"}), `{"errors":[{"message":"Unauthorized to load field 'Query.products.price'.","path":["products",0,"price"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},{"message":"Unauthorized to load field 'Query.products.price'.","path":["products",1,"price"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"products":[{"id":"1","price":null},{"id":"2","price":null}]}}`},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			got, err := execAs(cases[c].ctx, e, q)
			if err != nil || got != cases[c].want {
				errs <- fmt.Errorf("principal %d: %s %w", c, got, err)
			}
		}(i % len(cases))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Requests that normalize to the same operation but carry different
// variables (or inline values, extracted into variables) each run with
// their own: the cached decision holds no variables. With a supergraph
// that applies directives, every operation goes through the decision
// cache, guarded fields or not.
func TestAuthorizeKeepsEachRequestsVariables(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newAuthzTestEngine(t, sgs)
	run := func(ctx context.Context, req *Request) string {
		t.Helper()
		var buf bytes.Buffer
		if err := e.Execute(ctx, req, nil, &buf, ExecOptions{}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	scoped := authn.WithClaims(context.Background(), authn.Claims{"sub": "u1", "scope": "prices"})
	for _, ctx := range []context.Context{context.Background(), scoped} {
		for _, id := range []string{"1", "2", "1"} {
			q := `query($id: ID!) { product(id: $id) { id name } }`
			if got := run(ctx, &Request{Query: q, Variables: []byte(`{"id":"` + id + `"}`)}); !bytes.Contains([]byte(got), []byte(`"id":"`+id+`"`)) {
				t.Errorf("product %s (variable): %s", id, got)
			}
			q = `{ product(id: "` + id + `") { id name price } }`
			if got := run(ctx, &Request{Query: q}); !bytes.Contains([]byte(got), []byte(`"id":"`+id+`"`)) {
				t.Errorf("product %s (inline): %s", id, got)
			}
		}
	}
}

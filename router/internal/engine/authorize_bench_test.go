package engine

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/authz"
	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// authzSupergraph is the enginetest supergraph with Product.price behind
// a scope, and whoami and the rename mutation behind a token.
func authzSupergraph(b testing.TB) string {
	b.Helper()
	sdl := strings.Replace(enginetest.Supergraph,
		`@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)`,
		`@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)`, 1)
	sdl = strings.Replace(sdl, "price: Int @join__field(graph: B)", `price: Int @join__field(graph: B) @requiresScopes(scopes: [["prices"]])`, 1)
	sdl = strings.Replace(sdl, "whoami: String @join__field(graph: B)", "whoami: String @join__field(graph: B) @authenticated", 1)
	sdl = strings.Replace(sdl, "rename(id: ID!, name: String!): Product", "rename(id: ID!, name: String!): Product @authenticated", 1)
	return sdl + `
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
scalar requiresScopes__Scope
`
}

func newAuthzEngine(b *testing.B, sdl string, n int) *Engine {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	mem := &memorySubgraphs{n: n, cache: map[string][]byte{}}
	e, err := New(ctx, Options{
		SupergraphSDL:        sdl,
		DisableDeduplication: true,
		MultiFetch:           true,
		Authorization:        authz.Config{Directives: true},
		HTTP: HTTPOptions{WrapTransport: func(http.RoundTripper) http.RoundTripper {
			return mem
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkAuthorization measures what authorization adds to a request:
// "decision" is the per-request step alone on a hot operation (reading
// the principal from the claims, one cache lookup), for a supergraph
// without directives (nothing runs) and with them; "execute" is a whole
// request of 10 products with their prices from a second subgraph,
// without and with directives (scope granted, so both fetch the same).
func BenchmarkAuthorization(b *testing.B) {
	const query = `{ products { id name price } }`
	granted := authn.WithClaims(context.Background(), authn.Claims{"sub": "u1", "scope": "profile prices"})
	for _, tc := range []struct {
		name string
		sdl  string
	}{{"no-directives", enginetest.Supergraph}, {"directives", authzSupergraph(b)}} {
		b.Run("decision/"+tc.name, func(b *testing.B) {
			e := newAuthzEngine(b, tc.sdl, 10)
			p := e.prepare(&Request{Query: query})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, rerr := e.authorize(granted, p); rerr != nil {
					b.Fatal(rerr)
				}
			}
		})
		b.Run("execute/"+tc.name, func(b *testing.B) {
			e := newAuthzEngine(b, tc.sdl, 10)
			var buf bytes.Buffer
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := e.Execute(granted, &Request{Query: query}, nil, &buf, ExecOptions{}); err != nil {
					b.Fatal(err)
				}
				if i == 0 && bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("response has errors: %s", buf.Bytes())
				}
			}
		})
	}
	// A miss: the walk, the print and the filtered plan's cache lookup, on
	// a principal seen for the first time (the decision cache is bypassed).
	b.Run("walk/directives", func(b *testing.B) {
		e := newAuthzEngine(b, authzSupergraph(b), 10)
		p := e.prepare(&Request{Query: query})
		pr := e.authz.PrincipalFrom(context.Background())
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if v := e.filter(p, pr); v.err != nil || v.filtered == nil || len(v.filtered.removed) != 1 {
				b.Fatal(fmt.Sprint(v.err))
			}
		}
	})
}

package app

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/httpguard"
)

// padReader yields a GraphQL request whose variables hold n bytes of
// padding, produced as it is read (the client never holds the body).
func padReader(n int64) io.Reader {
	return io.MultiReader(
		strings.NewReader(`{"query":"{ __typename }","variables":{"pad":"`),
		io.LimitReader(xs{}, n),
		strings.NewReader(`"}}`),
	)
}

type xs struct{}

func (xs) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestHostileRequestsRefused: a 20 MB body streamed without a length is
// refused with 413 and a short error; the probe's 10,000 `__typename`
// (quadratic to validate, and within the old 1 MiB cap) are refused with
// the limit code before validation; `users(take)` multiplies complexity.
func TestHostileRequestsRefused(t *testing.T) {
	t.Parallel()
	in := start(t, options{vars: map[string]string{"GRAPHQL_MAX_COMPLEXITY": "100"}})
	t.Run("20 MB body", func(t *testing.T) {
		resp, err := http.Post(in.URL+"/graphql", "application/json", padReader(20<<20))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), httpguard.CodeTooLarge) || len(raw) > 512 {
			t.Fatalf("%d %.300s", resp.StatusCode, raw)
		}
	})
	t.Run("10,000 fields", func(t *testing.T) {
		began := time.Now()
		r := gql(t, in.URL, "{ "+strings.Repeat("__typename ", 10000)+"}", nil, nil)
		if r.code() != gqlguard.CodeMaxRootFields {
			t.Fatalf("%+v", r.Errors)
		}
		if d := time.Since(began); d > 5*time.Second { // validating it takes 20 s or more
			t.Fatalf("refusal took %s", d)
		}
	})
	t.Run("complexity", func(t *testing.T) {
		// 1 + 10 * 2 passes; 1 + 100 * 1 does not.
		if r := gql(t, in.URL, "{ users(take: 10) { _id username } }", nil, nil); len(r.Errors) > 0 {
			t.Fatalf("within the limit: %+v", r.Errors)
		}
		r := gql(t, in.URL, "{ users(take: 100) { _id } }", nil, nil)
		if r.code() != gqlguard.CodeComplexity || !strings.Contains(r.Errors[0].Message, "101") {
			t.Fatalf("over the limit: %+v", r.Errors)
		}
	})
}

// TestIntrospectionOffInProduction: with SHOP_ENV=production, __schema is
// refused and federation's `_service { sdl }` still answers.
func TestIntrospectionOffInProduction(t *testing.T) {
	t.Parallel()
	in := start(t, options{vars: map[string]string{
		"SHOP_ENV":            "production",
		"ADMIN_API_KEY":       "users-test-admin-key-0123",
		"BCRYPT_COST":         "10",
		"INTERNAL_API_SECRET": testInternalSecret,
	}})
	if r := gql(t, in.URL, "{ __schema { types { name } } }", nil, nil); r.code() != gqlguard.CodeIntrospectionDisabled {
		t.Fatalf("introspection: %+v", r.Errors)
	}
	r := gql(t, in.URL, "{ _service { sdl } }", nil, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "type User") {
		t.Fatalf("_service: %+v", r.Errors)
	}
}

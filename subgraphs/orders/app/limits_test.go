package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/testenv"
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
// (quadratic to validate) are refused with the limit code before
// validation; order lists and their lines multiply complexity.
func TestHostileRequestsRefused(t *testing.T) {
	t.Parallel()
	h := startWith(t, testenv.Get(t), map[string]string{"GRAPHQL_MAX_COMPLEXITY": "1000"})
	t.Run("20 MB body", func(t *testing.T) {
		resp, err := http.Post(h.url+"/graphql", "application/json", padReader(20<<20))
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
		r := h.do(t, nil, "{ "+strings.Repeat("__typename ", 10000)+"}", nil, nil)
		if code(r) != gqlguard.CodeMaxRootFields {
			t.Fatalf("%+v", r.Errors)
		}
		if d := time.Since(began); d > 5*time.Second { // validating it takes 20 s or more
			t.Fatalf("refusal took %s", d)
		}
	})
	t.Run("complexity", func(t *testing.T) {
		buyer := h.bearer(t, "650000000000000000000001")
		// An order by id with its lines costs 1 + (1 + 1 + 10 * 2) = 23;
		// the buyer's orders with their lines 1 + 50 * 22 = 1101.
		if r := h.do(t, buyer, `{ order(id: "650000000000000000000002") { _id products { _id quantity } } }`, nil, nil); code(r) == gqlguard.CodeComplexity {
			t.Fatalf("within the limit: %+v", r.Errors)
		}
		r := h.do(t, buyer, "{ orders { _id products { _id quantity } } }", nil, nil)
		if code(r) != gqlguard.CodeComplexity || !strings.Contains(r.Errors[0].Message, "1101") {
			t.Fatalf("over the limit: %+v", r.Errors)
		}
	})
}

// TestIntrospectionOffInProduction: with SHOP_ENV=production, __schema is
// refused and federation's `_service { sdl }` still answers.
func TestIntrospectionOffInProduction(t *testing.T) {
	t.Parallel()
	h := startWith(t, testenv.Get(t), map[string]string{"SHOP_ENV": "production", "API_SECRET": "Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn", "ADMIN_API_KEY": "hV7mQ2xK9pL4wR8sAe3Tb6Yc", "INTERNAL_API_SECRET": "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2"})
	if r := h.do(t, nil, "{ __schema { types { name } } }", nil, nil); code(r) != gqlguard.CodeIntrospectionDisabled {
		t.Fatalf("introspection: %+v", r.Errors)
	}
	r := h.do(t, nil, "{ _service { sdl } }", nil, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "type Order") {
		t.Fatalf("_service: %+v", r.Errors)
	}
}

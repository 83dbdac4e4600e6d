package queryplan

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/reqinfo"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := reqinfo.From(r.Context()); info != nil {
			info.QueryPlan = map[string]any{"kind": "Single"}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"a":1},"extensions":{"trace":true}}`))
	})
	cases := []struct {
		name, header, want string
	}{
		{"no header", "", `{"data":{"a":1},"extensions":{"trace":true}}`},
		{"false", "false", `{"data":{"a":1},"extensions":{"trace":true}}`},
		{"true", "true", `{"data":{"a":1},"extensions":{"queryPlan":{"kind":"Single"},"trace":true}}`},
		{"any value", "yes", `{"data":{"a":1},"extensions":{"queryPlan":{"kind":"Single"},"trace":true}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tc.header != "" {
				r.Header.Set(DefaultHeader, tc.header)
			}
			w := httptest.NewRecorder()
			Middleware(DefaultHeader, inner).ServeHTTP(w, r)
			if w.Body.String() != tc.want {
				t.Fatalf("got %s, want %s", w.Body, tc.want)
			}
		})
	}
}

func TestAddExtensionOrder(t *testing.T) {
	t.Parallel()
	got, err := addExtension([]byte(`{"data":null,"errors":[{"message":"x"}]}`), "queryPlan", 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"errors":[{"message":"x"}],"data":null,"extensions":{"queryPlan":1}}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if _, err := addExtension([]byte(`not json`), "queryPlan", 1); err == nil {
		t.Fatal("invalid body accepted")
	}
}

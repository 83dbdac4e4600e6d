package playground

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/config"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.QueryPlan.Enabled = true
	cfg.QueryPlan.Header = "X-Plan"
	h, err := Handler(cfg, "/graphql")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path string
		status       int
		contains     string
		ctype        string
	}{
		{http.MethodGet, "/", 200, `data-endpoint="/graphql"`, "text/html"},
		{http.MethodGet, "/", 200, `data-plan-header="X-Plan" data-plan-enabled="true"`, "text/html"},
		{http.MethodGet, "/playground/app.js", 200, "Apollo-Require-Preflight", "javascript"},
		{http.MethodGet, "/playground/app.css", 200, "textarea", "text/css"},
		{http.MethodGet, "/playground/missing.js", 404, "", ""},
		{http.MethodGet, "/elsewhere", 404, "", ""},
		{http.MethodPost, "/", 405, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if !strings.Contains(w.Body.String(), tc.contains) {
				t.Fatalf("body lacks %q", tc.contains)
			}
			if !strings.Contains(w.Header().Get("Content-Type"), tc.ctype) {
				t.Fatalf("content type %q, want %q", w.Header().Get("Content-Type"), tc.ctype)
			}
			if tc.status == 200 && !strings.Contains(w.Header().Get("Content-Security-Policy"), "default-src 'self'") {
				t.Fatal("no content security policy")
			}
		})
	}
}

func TestOptionsPlanOff(t *testing.T) {
	t.Parallel()
	o := Options(config.Default(), "/graphql")
	if o.QueryPlanEnabled || o.QueryPlanHeader != "X-Query-Plan" || !o.Subscriptions {
		t.Fatalf("default options %+v", o)
	}
}

package cors

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	cases := []struct {
		name       string
		cfg        Config
		method     string
		origin     string
		preflight  bool
		wantStatus int
		wantOrigin string
		wantCreds  string
	}{
		{"no origin", Config{AllowOrigins: []string{"https://a.example"}}, http.MethodPost, "", false, 200, "", ""},
		{"allowed origin", Config{AllowOrigins: []string{"https://a.example"}}, http.MethodPost, "https://a.example", false, 200, "https://a.example", ""},
		{"other origin gets no header", Config{AllowOrigins: []string{"https://a.example"}}, http.MethodPost, "https://evil.example", false, 200, "", ""},
		{"wildcard", Config{AllowOrigins: []string{"*"}}, http.MethodPost, "https://b.example", false, 200, "*", ""},
		{"credentials echo origin", Config{AllowOrigins: []string{"https://a.example"}, AllowCredentials: true}, http.MethodPost, "https://a.example", false, 200, "https://a.example", "true"},
		{"preflight allowed", Config{AllowOrigins: []string{"https://a.example"}, MaxAgeSeconds: 600}, http.MethodOptions, "https://a.example", true, 204, "https://a.example", ""},
		{"preflight refused origin", Config{AllowOrigins: []string{"https://a.example"}}, http.MethodOptions, "https://evil.example", true, 204, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, "/graphql", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.preflight {
				r.Header.Set("Access-Control-Request-Method", "POST")
			}
			w := httptest.NewRecorder()
			Handler(tc.cfg, next).ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d", w.Code, tc.wantStatus)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.wantOrigin {
				t.Fatalf("allow-origin %q, want %q", got, tc.wantOrigin)
			}
			if got := w.Header().Get("Access-Control-Allow-Credentials"); got != tc.wantCreds {
				t.Fatalf("allow-credentials %q, want %q", got, tc.wantCreds)
			}
			if tc.preflight && tc.wantOrigin != "" {
				if w.Header().Get("Access-Control-Allow-Headers") == "" || w.Header().Get("Access-Control-Allow-Methods") == "" {
					t.Fatalf("preflight without allow-headers/methods: %v", w.Header())
				}
				if tc.cfg.MaxAgeSeconds > 0 && w.Header().Get("Access-Control-Max-Age") != "600" {
					t.Fatalf("max-age %q", w.Header().Get("Access-Control-Max-Age"))
				}
			}
		})
	}
}

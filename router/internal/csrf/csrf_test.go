package csrf

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProtect(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	cases := []struct {
		name    string
		method  string
		headers map[string]string
		allowed bool
	}{
		{"json post", http.MethodPost, map[string]string{"Content-Type": "application/json"}, true},
		{"json with charset", http.MethodPost, map[string]string{"Content-Type": "application/json; charset=utf-8"}, true},
		{"graphql-response json", http.MethodPost, map[string]string{"Content-Type": "application/graphql-response+json"}, true},
		{"text/plain refused", http.MethodPost, map[string]string{"Content-Type": "text/plain"}, false},
		{"form refused", http.MethodPost, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, false},
		{"multipart refused", http.MethodPost, map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, false},
		{"no content type refused", http.MethodPost, nil, false},
		{"get without headers refused", http.MethodGet, nil, false},
		{"get with operation name header", http.MethodGet, map[string]string{"X-Apollo-Operation-Name": "Products"}, true},
		{"text/plain with require-preflight", http.MethodPost, map[string]string{"Content-Type": "text/plain", "Apollo-Require-Preflight": "true"}, true},
		{"empty preflight header refused", http.MethodGet, map[string]string{"Apollo-Require-Preflight": " "}, false},
		{"options passes to cors", http.MethodOptions, nil, true},
	}
	h := Protect(nil, ok)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, "/graphql", strings.NewReader(`{"query":"{a}"}`))
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if tc.allowed && w.Code != http.StatusTeapot {
				t.Fatalf("refused with %d: %s", w.Code, w.Body)
			}
			if !tc.allowed {
				if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"code":"CSRF_ERROR"`) {
					t.Fatalf("want 400 CSRF_ERROR, got %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

func TestCustomHeaders(t *testing.T) {
	t.Parallel()
	h := Protect([]string{"X-Shop-Client"}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	r.Header.Set("Apollo-Require-Preflight", "true")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("default header must not pass when others are configured, got %d", w.Code)
	}
	r.Header.Set("X-Shop-Client", "web")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("configured header refused: %d", w.Code)
	}
}

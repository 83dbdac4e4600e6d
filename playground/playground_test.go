package playground

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestHandlerServesAssets(t *testing.T) {
	t.Parallel()
	h, err := Handler(Options{Title: "Shop <test>", QueryPlanHeader: "X-Query-Plan", Subscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cases := []struct {
		method, path string
		status       int
		ctype        string
		contains     []string
	}{
		{http.MethodGet, "/", 200, "text/html", []string{`data-endpoint="/graphql"`, `data-plan-header="X-Query-Plan"`, `data-plan-enabled="false"`, `data-subscriptions="true"`, "Shop &lt;test&gt;", `type="module"`}},
		{http.MethodHead, "/", 200, "text/html", nil},
		{http.MethodGet, "/playground/app.js", 200, "text/javascript", []string{"Apollo-Require-Preflight", "text/event-stream"}},
		{http.MethodGet, "/playground/lexer.js", 200, "text/javascript", []string{"export function lex"}},
		{http.MethodGet, "/playground/parser.js", 200, "text/javascript", []string{"export function parse"}},
		{http.MethodGet, "/playground/completion.js", 200, "text/javascript", []string{"export function complete"}},
		{http.MethodGet, "/playground/explorer.js", 200, "text/javascript", []string{"export class Explorer"}},
		{http.MethodGet, "/playground/editor.js", 200, "text/javascript", []string{"export class Editor"}},
		{http.MethodGet, "/playground/schema.js", 200, "text/javascript", []string{"__schema"}},
		{http.MethodGet, "/playground/app.css", 200, "text/css", []string{"textarea"}},
		{http.MethodGet, "/playground/", 404, "", nil},
		{http.MethodGet, "/playground/index.html", 404, "", nil},
		{http.MethodGet, "/playground/missing.js", 404, "", nil},
		{http.MethodGet, "/elsewhere", 404, "", nil},
		{http.MethodPost, "/", 405, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			if _, err := body.ReadFrom(resp.Body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); tc.ctype != "" && !strings.HasPrefix(ct, tc.ctype) {
				t.Fatalf("content type %q, want %q", ct, tc.ctype)
			}
			for _, want := range tc.contains {
				if !strings.Contains(body.String(), want) {
					t.Errorf("body lacks %q", want)
				}
			}
			if tc.status == 200 {
				csp := resp.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
					t.Fatalf("content security policy %q", csp)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Fatal("no nosniff")
				}
			}
		})
	}
}

func TestHandlerDefaults(t *testing.T) {
	t.Parallel()
	h, err := Handler(Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	for _, want := range []string{`data-endpoint="/graphql"`, `data-plan-header=""`, `data-subscriptions="false"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestAssetsLoadNothingFromElsewhere keeps the playground offline: no
// embedded file may name another host. The one text allowed to look like
// a scheme is none: header hints use placeholders, not URLs.
func TestAssetsLoadNothingFromElsewhere(t *testing.T) {
	t.Parallel()
	external := regexp.MustCompile(`(?i)https?:|//cdn|//[a-z0-9-]+\.[a-z]{2,}|@import|url\(`)
	var files int
	err := fs.WalkDir(assets, "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := external.FindString(line); m != "" {
				t.Errorf("%s:%d names another host (%q): %s", path, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 8 {
		t.Fatalf("only %d embedded files", files)
	}
}

// Package playground serves a small GraphQL playground at "/" from assets
// embedded in the binary, so it works offline. It lets the user set the
// Authorization and x-api-key headers the shop's subgraphs check.
package playground

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// Handler serves the playground page at "/" and its assets under
// "/playground/"; the page sends operations to endpoint.
func Handler(endpoint string) (http.Handler, error) {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, fmt.Errorf("playground assets: %w", err)
	}
	tmpl, err := template.ParseFS(sub, "index.html")
	if err != nil {
		return nil, fmt.Errorf("playground template: %w", err)
	}
	var page bytes.Buffer
	if err := tmpl.Execute(&page, struct{ Endpoint string }{endpoint}); err != nil {
		return nil, fmt.Errorf("playground page: %w", err)
	}
	html := page.Bytes()
	files := http.StripPrefix("/playground/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		switch {
		case r.URL.Path == "/":
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			_, _ = w.Write(html)
		case strings.HasPrefix(r.URL.Path, "/playground/") && r.URL.Path != "/playground/index.html":
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	}), nil
}

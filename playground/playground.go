// Package playground serves the shop's GraphQL playground: an editor with
// highlighting, schema-aware completion and validation, a docs explorer,
// variables and headers, history, subscriptions over SSE and, on the
// router, the query plan of the last run. Every asset is embedded in the
// binary and the page loads nothing from another host, so it works
// offline. The router and every subgraph serve this one implementation.
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

// AssetPrefix is the path under which the page's scripts and styles are
// served; a server mounting the handler routes "/" and this prefix to it.
const AssetPrefix = "/playground/"

// Options configures one playground page.
type Options struct {
	// Title names the service in the page title and header.
	Title string
	// Endpoint is the GraphQL endpoint the page talks to; "/graphql" when
	// empty.
	Endpoint string
	// QueryPlanHeader, when set, is the request header that asks the
	// router for extensions.queryPlan; the page then shows a plan pane.
	// Subgraphs leave it empty.
	QueryPlanHeader string
	// QueryPlanEnabled tells the page whether the server answers the
	// header, so that it can explain how to turn plans on when they are
	// off.
	QueryPlanEnabled bool
	// Subscriptions tells the page whether the endpoint serves
	// subscriptions over SSE (GraphQL over SSE, distinct connections).
	Subscriptions bool
}

// Handler serves the playground page at "/" and its assets under
// AssetPrefix, with a content security policy that allows nothing but the
// page's own origin.
func Handler(opts Options) (http.Handler, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	if opts.Title == "" {
		opts.Title = "GraphQL"
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, fmt.Errorf("playground assets: %w", err)
	}
	tmpl, err := template.ParseFS(sub, "index.html")
	if err != nil {
		return nil, fmt.Errorf("playground template: %w", err)
	}
	var page bytes.Buffer
	if err := tmpl.Execute(&page, opts); err != nil {
		return nil, fmt.Errorf("playground page: %w", err)
	}
	html := page.Bytes()
	files := http.StripPrefix(AssetPrefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		switch {
		case r.URL.Path == "/":
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			_, _ = w.Write(html)
		case strings.HasPrefix(r.URL.Path, AssetPrefix) && r.URL.Path != AssetPrefix+"index.html" && !strings.HasSuffix(r.URL.Path, "/"):
			h.Set("Cache-Control", "no-cache")
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	}), nil
}

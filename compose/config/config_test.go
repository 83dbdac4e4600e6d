package config

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sdlServer is a federation subgraph stand-in answering `_service { sdl }`.
func sdlServer(t *testing.T, sdl string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Query string }
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || !strings.Contains(req.Query, "_service") {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if r.Header.Get("x-api-key") != "k" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"errors":[{"message":"missing api key"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"_service": map[string]any{"sdl": sdl}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLoadAndSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := sdlServer(t, "type Query { b: String }")
	writeFile(t, filepath.Join(dir, "schemas", "a.graphqls"), "type Query { a: String }")
	writeFile(t, filepath.Join(dir, "supergraph.yaml"), `federation_version: =2.3.2
subgraphs:
  b:
    routing_url: http://b/graphql
    schema:
      subgraph_url: `+srv.URL+`
      introspection_headers:
        x-api-key: k
  a:
    routing_url: http://a/graphql
    schema:
      file: ./schemas/a.graphqls
`)
	cfg, err := Load(filepath.Join(dir, "supergraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := cfg.Sources(context.Background(), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Name != "a" || srcs[1].Name != "b" {
		t.Fatalf("sources %+v", srcs)
	}
	if srcs[0].SDL != "type Query { a: String }" || srcs[1].SDL != "type Query { b: String }" || srcs[1].URL != "http://b/graphql" {
		t.Fatalf("sources %+v", srcs)
	}
}

func TestValidateReportsEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "supergraph.yaml")
	writeFile(t, path, `federation_version: =1
subgraphs:
  a:
    schema: {}
  b:
    routing_url: http://b
    schema: {file: x, subgraph_url: http://b}
`)
	_, err := Load(path)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"federation_version", "subgraphs.a.routing_url", "subgraphs.a.schema", "subgraphs.b.schema"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestLoadRejectsUnknownKeys(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "supergraph.yaml")
	writeFile(t, path, "subgraph:\n  a: {}\n")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "subgraph") {
		t.Fatalf("want unknown key error, got %v", err)
	}
}

func TestIntrospectErrors(t *testing.T) {
	t.Parallel()
	good := sdlServer(t, "type Query { x: Int }")
	notGraphQL := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusNotFound)
	}))
	t.Cleanup(notGraphQL.Close)
	noService := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	t.Cleanup(noService.Close)
	tests := []struct {
		name    string
		url     string
		headers map[string]string
		want    string
	}{
		{"graphql error", good.URL, nil, "missing api key"},
		{"not graphql", notGraphQL.URL, nil, "HTTP 404"},
		{"no _service", noService.URL, nil, "no _service.sdl"},
		{"unreachable", "http://127.0.0.1:1/graphql", nil, "introspect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Introspect(context.Background(), http.DefaultClient, tt.url, tt.headers)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to mention %q", err, tt.want)
			}
		})
	}
	sdl, err := Introspect(context.Background(), http.DefaultClient, good.URL, map[string]string{"x-api-key": "k"})
	if err != nil || sdl != "type Query { x: Int }" {
		t.Fatalf("sdl %q, err %v", sdl, err)
	}
}

// rover's other schema sources: inline sdl, and subgraph_url without a
// routing_url (the introspected URL is then the routing URL).
func TestRoverSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := sdlServer(t, "type Query { b: String }")
	writeFile(t, filepath.Join(dir, "supergraph.yaml"), `federation_version: =2.3.2
subgraphs:
  a:
    routing_url: http://a/graphql
    schema:
      sdl: |
        type Query { a: String }
  b:
    schema:
      subgraph_url: `+srv.URL+`
      introspection_headers:
        x-api-key: k
`)
	cfg, err := Load(filepath.Join(dir, "supergraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := cfg.Sources(context.Background(), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].SDL != "type Query { a: String }\n" || srcs[0].URL != "http://a/graphql" {
		t.Fatalf("inline sdl source: %+v", srcs)
	}
	if srcs[1].URL != srv.URL {
		t.Fatalf("routing url of an introspected subgraph without routing_url = %q, want %q", srcs[1].URL, srv.URL)
	}
}

func TestRoverSourcesRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ yaml, want string }{
		"graphref":         {"  a:\n    routing_url: http://a\n    schema: {graphref: shop@main, subgraph: a}\n", "GraphOS"},
		"file without url": {"  a:\n    schema: {file: a.graphqls}\n", "routing_url is required"},
		"sdl and file":     {"  a:\n    routing_url: http://a\n    schema: {file: a.graphqls, sdl: 'type Query { a: Int }'}\n", "exactly one of file, sdl or subgraph_url"},
		"no source":        {"  a:\n    routing_url: http://a\n    schema: {}\n", "exactly one of"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "supergraph.yaml")
			writeFile(t, path, "subgraphs:\n"+tc.yaml)
			if _, err := Load(path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}

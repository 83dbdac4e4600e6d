package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
)

func sha(q string) string {
	s := sha256.Sum256([]byte(q))
	return hex.EncodeToString(s[:])
}

func pq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestAPQRoundTripThroughRouter(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) { c.PersistedQueries.APQ = true })
	hash := sha(productsQuery)

	// 1. The hash alone is unknown: the client is told to send the query.
	status, res, _ := post(t, srv.URL, map[string]any{"extensions": pq(hash)}, nil)
	if status != http.StatusOK || res.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("first hash-only request: HTTP %d %+v", status, res)
	}
	// 2. Query and hash register it and run it.
	status, res, _ = post(t, srv.URL, map[string]any{"query": productsQuery, "extensions": pq(hash)}, nil)
	if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
		t.Fatalf("register: HTTP %d %+v", status, res)
	}
	// 3. The hash alone now runs the query, over POST and GET.
	status, res, _ = post(t, srv.URL, map[string]any{"extensions": pq(hash)}, nil)
	if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
		t.Fatalf("hash-only POST: HTTP %d %+v", status, res)
	}
	ext, err := json.Marshal(pq(hash))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/graphql?extensions="+url.QueryEscape(string(ext)), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Apollo-Require-Preflight", "true") // CSRF prevention
	status, res, _ = do(t, req)
	if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
		t.Fatalf("hash-only GET: HTTP %d %+v", status, res)
	}
	// A query that does not match its hash is refused.
	status, res, _ = post(t, srv.URL, map[string]any{"query": `{ products { id } }`, "extensions": pq(hash)}, nil)
	if res.code() != "PERSISTED_QUERY_HASH_MISMATCH" {
		t.Fatalf("mismatch: HTTP %d %+v", status, res)
	}
}

func TestAPQOffByDefault(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, nil)
	status, res, _ := post(t, srv.URL, map[string]any{"extensions": pq(sha(productsQuery))}, nil)
	if status != http.StatusBadRequest || res.code() != "BAD_REQUEST" {
		t.Fatalf("hash-only request without APQ: HTTP %d %+v", status, res)
	}
}

func TestPersistedOperationsSafelist(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	manifest := fmt.Sprintf(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":%q,"name":"Products","type":"query","body":%q}]}`,
		sha(productsQuery), productsQuery)
	path := filepath.Join(t.TempDir(), "persisted-query-manifest.json")
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startRouter(t, sdl, func(c *app.Config) {
		c.PersistedQueries.Manifest = path
		c.PersistedQueries.Safelist = true
	})
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"by id", map[string]any{"extensions": pq(sha(productsQuery))}, ""},
		{"by body", map[string]any{"query": productsQuery}, ""},
		{"other query", map[string]any{"query": `{ products { id } }`}, "PERSISTED_QUERY_NOT_IN_LIST"},
		{"other query with its hash", map[string]any{"query": `{ products { id } }`, "extensions": pq(sha(`{ products { id } }`))}, "PERSISTED_QUERY_NOT_IN_LIST"},
		{"unknown id", map[string]any{"extensions": pq(sha("{ x }"))}, "PERSISTED_QUERY_NOT_IN_LIST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, res, _ := post(t, srv.URL, tc.body, nil)
			if tc.code == "" {
				if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
					t.Fatalf("HTTP %d %+v", status, res)
				}
				return
			}
			if res.code() != tc.code || res.Data != nil {
				t.Fatalf("want %s, got HTTP %d %+v", tc.code, status, res)
			}
		})
	}
}

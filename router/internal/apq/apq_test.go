package apq

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

const (
	productsQuery = "query Products { products { _id name } }"
	usersQuery    = "query Users { users { _id } }"
)

func ext(hash string, version int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"persistedQuery":{"version":%d,"sha256Hash":%q}}`, version, hash))
}

func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	re, ok := engine.AsRequestError(err)
	if !ok {
		t.Fatalf("not a request error: %v", err)
	}
	return re.Errors[0].Extensions["code"].(string)
}

func writeManifest(t *testing.T, bodies ...string) string {
	t.Helper()
	type op struct {
		ID   string `json:"id"`
		Body string `json:"body"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	m := struct {
		Format     string `json:"format"`
		Version    int    `json:"version"`
		Operations []op   `json:"operations"`
	}{Format: "apollo-persisted-query-manifest", Version: 1}
	for i, b := range bodies {
		m.Operations = append(m.Operations, op{ID: Hash(b), Body: b, Name: fmt.Sprint("op", i), Type: "query"})
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAPQRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := New(Config{APQ: true})
	if err != nil {
		t.Fatal(err)
	}
	h := Hash(productsQuery)
	req := &engine.Request{}
	if c := code(t, s.Resolve(req, ext(h, 1))); c != CodeNotFound {
		t.Fatalf("unknown hash: code %q, want %s", c, CodeNotFound)
	}
	req = &engine.Request{Query: productsQuery}
	if err := s.Resolve(req, ext(h, 1)); err != nil {
		t.Fatalf("register: %v", err)
	}
	req = &engine.Request{}
	if err := s.Resolve(req, ext(h, 1)); err != nil || req.Query != productsQuery {
		t.Fatalf("lookup: %v, query %q", err, req.Query)
	}
	if c := code(t, s.Resolve(&engine.Request{Query: usersQuery}, ext(h, 1))); c != CodeHashMismatch {
		t.Fatalf("mismatch: code %q", c)
	}
	if c := code(t, s.Resolve(&engine.Request{}, ext(h, 2))); c != CodeBadVersion {
		t.Fatalf("version 2: code %q", c)
	}
	if c := code(t, s.Resolve(&engine.Request{}, json.RawMessage(`[1]`))); c != "BAD_REQUEST" {
		t.Fatalf("bad extensions: code %q", c)
	}
	if err := s.Resolve(&engine.Request{Query: usersQuery}, nil); err != nil {
		t.Fatalf("plain query refused: %v", err)
	}
}

func TestAPQEviction(t *testing.T) {
	t.Parallel()
	s, err := New(Config{APQ: true, CacheSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	qs := []string{"{a}", "{b}", "{c}"}
	for _, q := range qs {
		if err := s.Resolve(&engine.Request{Query: q}, ext(Hash(q), 1)); err != nil {
			t.Fatal(err)
		}
	}
	if c := code(t, s.Resolve(&engine.Request{}, ext(Hash("{a}"), 1))); c != CodeNotFound {
		t.Fatalf("oldest entry not evicted: %q", c)
	}
	if err := s.Resolve(&engine.Request{}, ext(Hash("{c}"), 1)); err != nil {
		t.Fatalf("newest entry evicted: %v", err)
	}
}

func TestAPQDisabled(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Manifest: writeManifest(t, productsQuery)})
	if err != nil {
		t.Fatal(err)
	}
	if c := code(t, s.Resolve(&engine.Request{}, ext(Hash(usersQuery), 1))); c != CodeNotSupported {
		t.Fatalf("code %q, want %s", c, CodeNotSupported)
	}
	req := &engine.Request{}
	if err := s.Resolve(req, ext(Hash(productsQuery), 1)); err != nil || req.Query != productsQuery {
		t.Fatalf("manifest id: %v %q", err, req.Query)
	}
	if err := s.Resolve(&engine.Request{Query: usersQuery}, nil); err != nil {
		t.Fatalf("without safelist free-form queries run: %v", err)
	}
}

func TestSafelist(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Manifest: writeManifest(t, productsQuery), Safelist: true, APQ: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		req  engine.Request
		ext  json.RawMessage
		code string
	}{
		{"manifest body", engine.Request{Query: productsQuery}, nil, ""},
		{"manifest id", engine.Request{}, ext(Hash(productsQuery), 1), ""},
		{"manifest id and body", engine.Request{Query: productsQuery}, ext(Hash(productsQuery), 1), ""},
		{"free-form query", engine.Request{Query: usersQuery}, nil, CodeNotInManifest},
		{"APQ registration refused", engine.Request{Query: usersQuery}, ext(Hash(usersQuery), 1), CodeNotInManifest},
		{"unknown id", engine.Request{}, ext(Hash(usersQuery), 1), CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			if c := code(t, s.Resolve(&req, tc.ext)); c != tc.code {
				t.Fatalf("code %q, want %q", c, tc.code)
			}
		})
	}
}

func TestManifestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format":"other","version":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{{Safelist: true}, {Manifest: filepath.Join(dir, "missing.json")}, {Manifest: bad}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "router.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	t.Parallel()
	yaml := `
listen: 0.0.0.0:8080
supergraph: /etc/supergraph.graphql
subgraphs:
  products: {url: "http://products:4002/graphql"}
headers:
  propagate: [authorization, x-tenant]
timeouts:
  subgraph_request: 5s
deduplication: false
`
	env := []string{
		"ROUTER_LISTEN=127.0.0.1:9000",
		"ROUTER_SUBGRAPH_URL_USER_SERVICE=http://users:4001/graphql",
		"ROUTER_SUBGRAPH_TIMEOUT=2s",
		"UNRELATED=1",
	}
	cfg, err := Load(writeFile(t, yaml), env)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"env listen wins", cfg.Listen, "127.0.0.1:9000"},
		{"supergraph from file", cfg.Supergraph, "/etc/supergraph.graphql"},
		{"yaml subgraph url", cfg.SubgraphURL("products"), "http://products:4002/graphql"},
		{"env subgraph url by normalized name", cfg.SubgraphURL("user-service"), "http://users:4001/graphql"},
		{"no override", cfg.SubgraphURL("orders"), ""},
		{"env timeout wins", cfg.Timeouts.SubgraphRequest, 2 * time.Second},
		{"default kept", cfg.Timeouts.Shutdown, 10 * time.Second},
		{"dedup off", cfg.DeduplicationEnabled(), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := cfg.ForwardHeaders(); !slices.Equal(got, []string{"authorization", "x-tenant"}) {
		t.Errorf("forward headers: %v", got)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.ForwardHeaders(), []string{"Authorization", "X-Api-Key", "X-Api-Token"}) {
		t.Errorf("default forward headers: %v", cfg.ForwardHeaders())
	}
	if !cfg.DeduplicationEnabled() {
		t.Error("deduplication should default to on")
	}
	err = cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "supergraph") {
		t.Fatalf("missing supergraph not reported: %v", err)
	}
}

func TestValidateReportsEverything(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.Listen = "nonsense"
	cfg.Subgraphs["a"] = Subgraph{URL: "ftp://x"}
	cfg.Limits.MaxConcurrency = 0
	cfg.Timeouts.SubgraphRequest = -1
	empty := []string{"bad header"}
	cfg.Headers.Propagate = &empty
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"supergraph", "listen", "subgraphs.a.url", "max_concurrency", "subgraph_request", "invalid header name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), []string{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(writeFile(t, "listen: [1, 2"), []string{}); err == nil {
		t.Error("malformed YAML accepted")
	}
	if _, err := Load(writeFile(t, "unknown_key: 1"), []string{}); err == nil {
		t.Error("unknown key accepted")
	}
	if _, err := Load("", []string{"ROUTER_SUBGRAPH_TIMEOUT=soon", "ROUTER_DEDUPLICATION=maybe"}); err == nil ||
		!strings.Contains(err.Error(), "ROUTER_SUBGRAPH_TIMEOUT") || !strings.Contains(err.Error(), "ROUTER_DEDUPLICATION") {
		t.Errorf("bad env values: %v", err)
	}
	cfg, err := Load(writeFile(t, ""), []string{})
	if err != nil || cfg.Listen != Default().Listen {
		t.Errorf("empty file: %v %v", cfg.Listen, err)
	}
}

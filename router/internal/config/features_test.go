package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFeatureDefaults(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Supergraph = "s.graphql"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.IntrospectionEnabled() || !c.PlaygroundEnabled() {
		t.Fatal("introspection and playground are on by default")
	}
	if !c.CSRFEnabled() || !c.ForwardClientAddress() || len(c.ClientAddress.TrustedProxies) != 0 {
		t.Fatal("CSRF prevention and client address forwarding are on by default, with no trusted proxy")
	}
	if c.Limits.MaxDepth != 64 || c.Limits.MaxAliases != 30 || c.Limits.MaxRootFields != 500 || c.Limits.MaxTokens != 15000 || c.Limits.MaxFields != 2000 {
		t.Fatalf("operation limits are on by default: %+v", c.Limits)
	}
	if c.Timeouts.Request != 30*time.Second {
		t.Fatalf("client requests are bounded by default: %v", c.Timeouts.Request)
	}
	if s := c.Subscriptions; s.MaxConnections != 10000 || s.MaxConnectionsPerClient != 100 || s.MaxSubscriptions != 10000 || s.MaxSubscriptionsPerClient != 500 {
		t.Fatalf("streams are capped by default: %+v", s)
	}
	if !c.Metrics.Enabled || c.Metrics.Listen != "127.0.0.1:9090" || c.Timeouts.DrainDelay != 5*time.Second {
		t.Fatalf("metrics are on by default on a loopback listener of their own, and shutdown drains: %+v %+v", c.Metrics, c.Timeouts)
	}
	if c.Tracing.Enabled || c.AccessLog.Enabled || c.QueryPlan.Enabled ||
		c.HotReload.Enabled || c.PersistedQueries.APQ {
		t.Fatalf("a production feature is on by default: %+v", c)
	}
	if c.Metrics.Path != "/metrics" || c.QueryPlan.Header != "X-Query-Plan" || c.Tracing.SampleRatio != 1 || c.HotReload.Interval != time.Second {
		t.Fatalf("feature defaults: %+v", c)
	}
}

func TestFeatureYAMLAndEnv(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "router.yaml")
	yaml := `
supergraph: s.graphql
introspection: false
csrf: {enabled: true, required_headers: [x-shop]}
cors: {allow_origins: ["https://a.example"], max_age: 10m}
limits: {max_depth: 5, max_aliases: 6}
timeouts: {request: 2s}
subgraphs:
  products: {timeout: 1s}
persisted_queries: {apq: true, apq_cache_size: 10}
metrics: {enabled: true}
tracing: {enabled: true, exporter: stdout, sample_ratio: 0.5}
access_log: {enabled: true, path: /tmp/access.log}
query_plan: {enabled: true, header: X-Plan}
playground: {enabled: false}
hot_reload: {enabled: true, interval: 250ms}
subscriptions: {max_connections: 7, max_connections_per_client: 3, max_subscriptions: 0, max_subscriptions_per_client: 4}
client_address: {forward: false, trusted_proxies: [10.0.0.0/8]}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{"ROUTER_MAX_DEPTH=9", "ROUTER_MAX_TOKENS=100", "ROUTER_MAX_FIELDS=300", "ROUTER_INTROSPECTION=true", "ROUTER_CORS_ALLOW_ORIGINS=https://b.example, https://c.example", "ROUTER_TRACING_EXPORTER=none", "ROUTER_TRUSTED_PROXIES=10.1.0.0/16, 192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	switch {
	case !c.IntrospectionEnabled(), c.PlaygroundEnabled(), !c.CSRFEnabled(), c.CSRF.RequiredHeaders[0] != "x-shop":
		t.Fatalf("switches: %+v", c)
	case c.Limits.MaxDepth != 9, c.Limits.MaxAliases != 6, c.Limits.MaxTokens != 100, c.Limits.MaxFields != 300, c.Timeouts.Request != 2*time.Second:
		t.Fatalf("limits: %+v %+v", c.Limits, c.Timeouts)
	case c.Subgraphs["products"].Timeout != time.Second, c.CORS.MaxAge != 10*time.Minute, len(c.CORS.AllowOrigins) != 2:
		t.Fatalf("subgraphs/cors: %+v %+v", c.Subgraphs, c.CORS)
	case !c.PersistedQueries.APQ, c.PersistedQueries.APQCacheSize != 10, !c.Metrics.Enabled, c.Tracing.Exporter != "none", c.Tracing.SampleRatio != 0.5:
		t.Fatalf("pq/metrics/tracing: %+v %+v %+v", c.PersistedQueries, c.Metrics, c.Tracing)
	case !c.AccessLog.Enabled, c.QueryPlan.Header != "X-Plan", !c.HotReload.Enabled, c.HotReload.Interval != 250*time.Millisecond:
		t.Fatalf("log/plan/reload: %+v %+v %+v", c.AccessLog, c.QueryPlan, c.HotReload)
	case c.ForwardClientAddress(), len(c.ClientAddress.TrustedProxies) != 2, c.ClientAddress.TrustedProxies[1] != "192.0.2.7":
		t.Fatalf("client address: %+v", c.ClientAddress)
	case c.Subscriptions != Subscriptions{MaxConnections: 7, MaxConnectionsPerClient: 3, MaxSubscriptions: 0, MaxSubscriptionsPerClient: 4}:
		t.Fatalf("subscriptions: %+v", c.Subscriptions)
	}
	off, err := Load("", []string{"ROUTER_CSRF=false", "ROUTER_MAX_DEPTH=0", "ROUTER_FORWARD_CLIENT_ADDRESS=true", "ROUTER_REQUEST_TIMEOUT=0s",
		"ROUTER_METRICS=false", "ROUTER_METRICS_LISTEN=0.0.0.0:9190", "ROUTER_DRAIN_DELAY=0s"})
	if err != nil {
		t.Fatal(err)
	}
	if off.CSRFEnabled() || off.Limits.MaxDepth != 0 || !off.ForwardClientAddress() || off.Timeouts.Request != 0 {
		t.Fatalf("env switches: csrf %v depth %d forward %v", off.CSRFEnabled(), off.Limits.MaxDepth, off.ForwardClientAddress())
	}
	if off.Metrics.Enabled || off.Metrics.Listen != "0.0.0.0:9190" || off.Timeouts.DrainDelay != 0 {
		t.Fatalf("env metrics/drain: %+v %+v", off.Metrics, off.Timeouts)
	}
}

func TestFeatureValidation(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Supergraph = "s.graphql"
	c.Limits.MaxDepth = -1
	c.Limits.MaxFields = -1
	c.Subscriptions.MaxConnectionsPerClient = -1
	c.Timeouts.Request = -time.Second
	c.PersistedQueries.Safelist = true
	c.Metrics = Metrics{Enabled: true, Path: "metrics", Listen: "9090"}
	c.Timeouts.DrainDelay = -time.Second
	c.Tracing = Tracing{Enabled: true, Exporter: "zipkin", SampleRatio: 2}
	c.CORS = CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}
	c.Subgraphs["products"] = Subgraph{Timeout: -1}
	c.QueryPlan = QueryPlan{Enabled: true, Header: " "}
	c.ClientAddress.TrustedProxies = []string{"10.0.0.0/33"}
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid feature config accepted")
	}
	for _, want := range []string{"limits.max_depth", "limits.max_fields", "subscriptions.max_connections_per_client", "timeouts.request", "persisted_queries.safelist", "metrics.path", "metrics.listen", "timeouts.drain_delay",
		"tracing.exporter", "tracing.sample_ratio", "cors:", "subgraphs.products.timeout", "query_plan.header", "client_address.trusted_proxies"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if _, err := Load("", []string{"ROUTER_METRICS=maybe", "ROUTER_MAX_DEPTH=deep"}); err == nil ||
		!strings.Contains(err.Error(), "ROUTER_METRICS") || !strings.Contains(err.Error(), "ROUTER_MAX_DEPTH") {
		t.Fatalf("bad env values: %v", err)
	}
}

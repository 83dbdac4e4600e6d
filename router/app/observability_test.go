package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shopsupergraph/shop/router/app"
)

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("scrape: HTTP %d %v", res.StatusCode, err)
	}
	return string(body)
}

var labelRE = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// series returns the value of the sample of metric name whose labels
// include want, and how many samples matched.
func series(text, name string, want map[string]string) (string, int) {
	var value string
	n := 0
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		labels, v, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		got := map[string]string{}
		for _, m := range labelRE.FindAllStringSubmatch(labels, -1) {
			got[m[1]] = m[2]
		}
		match := true
		for k, w := range want {
			if g, ok := got[k]; !ok || g != w {
				match = false
			}
		}
		if match {
			value, n = v, n+1
		}
	}
	return value, n
}

// TestMetricsScraped: requests and subgraph fetches are measured under
// OpenTelemetry's semantic-convention names, with the operation and the
// subgraph as attributes.
func TestMetricsScraped(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(sdl))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, r)
	for i := 0; i < 3; i++ {
		if status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, nil); status != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("HTTP %d %+v", status, res)
		}
	}
	post(t, srv.URL, map[string]any{"query": `query Broken { nope }`}, nil)
	post(t, srv.URL, map[string]any{"query": `{ latestReview { id } }`}, nil)
	text := scrape(t, r.MetricsHandler())
	const server = "http_server_request_duration_seconds_count"
	const fetch = "http_client_request_duration_seconds_count"
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   string
	}{
		{server, map[string]string{"graphql_operation_name": "Products", "graphql_operation_type": "query", "http_request_method": "POST", "http_response_status_code": "200", "http_route": "/graphql"}, "3"},
		{server, map[string]string{"graphql_operation_name": "Broken", "error_type": "graphql_error"}, "1"},
		{server, map[string]string{"graphql_operation_name": "anonymous", "graphql_operation_type": "query", "http_response_status_code": "200"}, "1"},
		{fetch, map[string]string{"subgraph_name": "products", "http_request_method": "POST", "http_response_status_code": "200", "server_address": "127.0.0.1"}, "3"},
		{fetch, map[string]string{"subgraph_name": "inventory", "http_response_status_code": "200"}, "3"},
		{fetch, map[string]string{"subgraph_name": "reviews", "http_response_status_code": "200"}, "1"},
		{"target_info", map[string]string{"service_name": "router"}, "1"},
	} {
		if got, n := series(text, c.name, c.labels); n != 1 || got != c.want {
			t.Errorf("%s%v = %q (%d series), want %s", c.name, c.labels, got, n, c.want)
		}
	}
	if _, n := series(text, server, map[string]string{"graphql_operation_name": "Products", "error_type": "graphql_error"}); n != 0 {
		t.Error("successful requests counted as errors")
	}
	for _, want := range []string{"http_server_request_duration_seconds_bucket{", `le="0.005"`, "go_goroutines"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "router_http_requests_total") {
		t.Error("the old metric names are still exported")
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestMetricsNeverOnThePublicPort: metrics are for the operator's scraper,
// not for clients: the public handler does not serve them even when they
// are on.
func TestMetricsNeverOnThePublicPort(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) { c.Metrics.Enabled = true })
	for _, path := range []string{"/metrics", "/metrics/"} {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK || strings.Contains(string(body), "go_goroutines") {
			t.Fatalf("GET %s on the public port: HTTP %d", path, res.StatusCode)
		}
	}
}

func TestTraceContextReachesSubgraphs(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	exp := keepSpans{tracetest.NewInMemoryExporter()}
	r, err := app.New(func() app.Config {
		c := app.DefaultConfig()
		c.Tracing.Enabled = true
		return c
	}(), app.WithSupergraphSDL(sdl), app.WithTraceExporter(exp))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, r)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, map[string]string{
		"Traceparent": "00-" + traceID + "-00f067aa0ba902b7-01",
	})
	if status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("HTTP %d %+v", status, res)
	}
	parents := map[string]bool{}
	for _, name := range []string{"products", "inventory"} {
		reqs := sgs[name].Requests()
		if len(reqs) == 0 {
			t.Fatalf("subgraph %s not called", name)
		}
		tp := reqs[0].Header.Get("Traceparent")
		parts := strings.Split(tp, "-")
		if len(parts) != 4 || parts[1] != traceID || parts[2] == "00f067aa0ba902b7" || parts[3] != "01" {
			t.Fatalf("subgraph %s got traceparent %q, want trace %s with the router's span as parent", name, tp, traceID)
		}
		parents[parts[2]] = true
	}
	if len(parents) != 2 {
		t.Fatalf("each subgraph fetch should have its own client span, got parents %v", parents)
	}
	r.Close() // flushes the batcher
	spans := exp.GetSpans()
	var server, clients int
	for _, s := range spans {
		if s.SpanContext.TraceID().String() != traceID {
			t.Fatalf("span %q in trace %s", s.Name, s.SpanContext.TraceID())
		}
		switch {
		case strings.HasPrefix(s.Name, "graphql.request"):
			server++
			if s.Name != "graphql.request Products" || s.Parent.SpanID().String() != "00f067aa0ba902b7" {
				t.Fatalf("server span %q parent %s", s.Name, s.Parent.SpanID())
			}
		case strings.HasPrefix(s.Name, "subgraph "):
			clients++
			if parents[s.SpanContext.SpanID().String()] == false {
				t.Fatalf("client span %s was not the parent sent to a subgraph", s.SpanContext.SpanID())
			}
		}
	}
	if server != 1 || clients != 2 {
		t.Fatalf("got %d server and %d client spans, want 1 and 2", server, clients)
	}
}

// keepSpans keeps the recorded spans when the router shuts its tracer
// down (the in-memory exporter forgets them on Shutdown).
type keepSpans struct{ *tracetest.InMemoryExporter }

func (keepSpans) Shutdown(context.Context) error { return nil }

func TestTracingOffSendsNoTraceparent(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, nil)
	post(t, srv.URL, map[string]any{"query": productsQuery}, map[string]string{
		"Traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	})
	if tp := sgs["products"].Requests()[0].Header.Get("Traceparent"); tp != "" {
		t.Fatalf("tracing off but subgraph got traceparent %q", tp)
	}
}

// syncBuffer is a bytes.Buffer safe for the access log's writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	var buf syncBuffer
	srv := startRouter(t, sdl, func(c *app.Config) { c.AccessLog.Enabled = true }, app.WithAccessLogWriter(&buf))
	post(t, srv.URL, map[string]any{"query": productsQuery}, nil)
	post(t, srv.URL, map[string]any{"query": `query Broken { nope }`}, nil)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 access records, got %q", buf.String())
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first["msg"] != "access" || first["operation"] != "Products" || first["status"] != float64(200) || first["path"] != "/graphql" || first["method"] != "POST" {
		t.Fatalf("first record %v", first)
	}
	if second["operation"] != "Broken" || second["graphql_errors"] != true {
		t.Fatalf("second record %v", second)
	}
}

func TestQueryPlanHeader(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	hdr := map[string]string{"X-Query-Plan": "true"}
	off := startRouter(t, sdl, nil)
	if _, res, _ := post(t, off.URL, map[string]any{"query": productsQuery}, hdr); res.Extensions["queryPlan"] != nil {
		t.Fatal("query plan returned while inspection is disabled")
	}
	on := startRouter(t, sdl, func(c *app.Config) { c.QueryPlan.Enabled = true })
	status, res, _ := post(t, on.URL, map[string]any{"query": productsQuery}, hdr)
	if status != http.StatusOK || productCount(t, res) != 3 {
		t.Fatalf("HTTP %d %+v", status, res)
	}
	plan, err := json.Marshal(res.Extensions["queryPlan"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"subgraphName":"products"`, `"subgraphName":"inventory"`, `_entities`, `"kind":"Sequence"`} {
		if !bytes.Contains(plan, []byte(want)) {
			t.Errorf("plan lacks %s: %s", want, plan)
		}
	}
	if _, res, _ := post(t, on.URL, map[string]any{"query": productsQuery}, nil); res.Extensions["queryPlan"] != nil {
		t.Fatal("plan returned without the header")
	}
}

func startServer(t *testing.T, r *app.Router) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(r.Handler())
	t.Cleanup(func() { s.Close(); r.Close() })
	return s
}

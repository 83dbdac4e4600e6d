package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shopsupergraph/shop/router/app"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	res, err := client.Get(url + "/metrics")
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

func TestMetricsScraped(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) { c.Metrics.Enabled = true })
	for i := 0; i < 3; i++ {
		if status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, nil); status != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("HTTP %d %+v", status, res)
		}
	}
	post(t, srv.URL, map[string]any{"query": `query Broken { nope }`}, nil)
	post(t, srv.URL, map[string]any{"query": `{ latestReview { id } }`}, nil)
	text := scrape(t, srv.URL)
	for _, want := range []string{
		`router_http_requests_total{operation="Products",status="200"} 3`,
		`router_http_request_duration_seconds_count{operation="Products"} 3`,
		`router_http_request_errors_total{operation="Broken"} 1`,
		`router_http_requests_total{operation="anonymous",status="200"} 1`,
		`router_subgraph_requests_total{status="200",subgraph="products"} 3`,
		`router_subgraph_requests_total{status="200",subgraph="inventory"} 3`,
		`router_subgraph_requests_total{status="200",subgraph="reviews"} 1`,
		`router_subgraph_request_duration_seconds_count{subgraph="inventory"} 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(text, `operation="Products"`) && strings.Contains(text, `router_http_request_errors_total{operation="Products"}`) {
		t.Error("successful requests counted as errors")
	}
	if t.Failed() {
		t.Log(text)
	}
}

func TestMetricsOffByDefault(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, nil)
	res, err := client.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics without metrics.enabled: HTTP %d", res.StatusCode)
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

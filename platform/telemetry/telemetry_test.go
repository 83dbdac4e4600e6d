package telemetry_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/telemetry"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		env  map[string]string
		want telemetry.Config
	}{
		"defaults": {nil, telemetry.Config{ServiceName: "orders", Sampler: "parentbased_always_on", SamplerArg: 1, MetricsAddr: "127.0.0.1:9093"}},
		"base endpoint": {
			map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/", "OTEL_SERVICE_NAME": "orders-eu", "METRICS_ADDR": ":9100"},
			telemetry.Config{ServiceName: "orders-eu", TracesURL: "http://collector:4318/v1/traces", Sampler: "parentbased_always_on", SamplerArg: 1, MetricsAddr: ":9100"},
		},
		"traces endpoint wins": {
			map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example/otlp", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"},
			telemetry.Config{ServiceName: "orders", TracesURL: "https://traces.example/otlp", Sampler: "parentbased_traceidratio", SamplerArg: 0.25, MetricsAddr: "127.0.0.1:9093"},
		},
		"disabled": {
			map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true", "METRICS_ADDR": "off"},
			telemetry.Config{ServiceName: "orders", Sampler: "parentbased_always_on", SamplerArg: 1},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := config.FromMap(tc.env)
			got := telemetry.Load(env, "orders", "127.0.0.1:9093")
			if err := env.Err(); err != nil || got != tc.want {
				t.Fatalf("Load(%v) = %+v, %v\nwant %+v", tc.env, got, err, tc.want)
			}
		})
	}
	env := config.FromMap(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_TRACES_SAMPLER": "sometimes", "METRICS_ADDR": "9090",
	})
	telemetry.Load(env, "orders", "")
	err := env.Err()
	for _, want := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_SAMPLER", "METRICS_ADDR"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad %s not reported: %v", want, err)
		}
	}
	env = config.FromMap(map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"})
	telemetry.Load(env, "orders", "")
	if env.Err() == nil {
		t.Error("sampler ratio 2 accepted")
	}
}

// keep holds the spans it was given across Shutdown (the in-memory
// exporter forgets them there).
type keep struct{ *tracetest.InMemoryExporter }

func (keep) Shutdown(context.Context) error { return nil }

// newTelemetry builds telemetry whose spans land in the returned exporter.
func newTelemetry(t *testing.T) (*telemetry.Telemetry, keep) {
	t.Helper()
	exp := keep{tracetest.NewInMemoryExporter()}
	tel, err := telemetry.New(context.Background(), telemetry.Config{ServiceName: "svc", Sampler: "parentbased_always_on", SpanExporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	return tel, exp
}

func flush(t *testing.T, tel *telemetry.Telemetry) {
	t.Helper()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, c *http.Client, url string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestHTTPTracesAndMetrics: the server middleware continues the caller's
// trace and measures requests under semantic-convention names; a client
// going through Transport passes its trace on; probes are left alone.
func TestHTTPTracesAndMetrics(t *testing.T) {
	t.Parallel()
	tel, exp := newTelemetry(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "item") })
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv := httptest.NewServer(tel.Handler(mux))
	defer srv.Close()

	const traceID, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	hdr := http.Header{"Traceparent": {"00-" + traceID + "-" + parent + "-01"}}
	if code, _ := get(t, http.DefaultClient, srv.URL+"/items/7", hdr); code != 200 {
		t.Fatalf("GET /items/7 = %d", code)
	}
	if code, _ := get(t, http.DefaultClient, srv.URL+"/health", nil); code != 200 {
		t.Fatalf("GET /health = %d", code)
	}
	traced := &http.Client{Transport: tel.Transport(nil)}
	if code, _ := get(t, traced, srv.URL+"/items/8", nil); code != 200 {
		t.Fatal("GET through Transport failed")
	}
	metrics := httptest.NewServer(tel.MetricsHandler())
	defer metrics.Close()
	_, text := get(t, http.DefaultClient, metrics.URL, nil)
	flush(t, tel)

	for _, want := range []string{
		`http_server_request_duration_seconds_count{`,
		`http_request_method="GET"`, `http_response_status_code="200"`, `http_route="/items/{id}"`,
		`http_client_request_duration_seconds_count{`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, `http_route="/health"`) {
		t.Error("probes are measured")
	}
	var servers, clients []sdktrace.ReadOnlySpan
	for _, s := range exp.GetSpans().Snapshots() {
		switch s.Name() {
		case "GET /items/{id}":
			servers = append(servers, s)
		case "GET":
			clients = append(clients, s)
		default:
			t.Errorf("unexpected span %q", s.Name())
		}
	}
	if len(servers) != 2 || len(clients) != 1 {
		t.Fatalf("%d server and %d client spans, want 2 and 1", len(servers), len(clients))
	}
	var continued, child bool
	for _, s := range servers {
		if route := attr(s, "http.route"); route != "/items/{id}" {
			t.Errorf("server span http.route = %q", route)
		}
		continued = continued || (s.SpanContext().TraceID().String() == traceID && s.Parent().SpanID().String() == parent)
		child = child || (s.Parent().SpanID() == clients[0].SpanContext().SpanID() && s.SpanContext().TraceID() == clients[0].SpanContext().TraceID())
	}
	if !continued {
		t.Error("the incoming traceparent was not continued")
	}
	if !child {
		t.Error("the request sent through Transport did not carry its span to the server")
	}
}

// TestTraceContextPropagatedWithoutExporter: with no endpoint nothing is
// recorded, but a request keeps the caller's trace when it goes on.
func TestTraceContextPropagatedWithoutExporter(t *testing.T) {
	t.Parallel()
	tel, err := telemetry.New(context.Background(), telemetry.Config{ServiceName: "svc", Sampler: "parentbased_always_on"})
	if err != nil {
		t.Fatal(err)
	}
	defer flush(t, tel)
	got := make(chan string, 1)
	next := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got <- r.Header.Get("Traceparent") }))
	defer next.Close()
	out := &http.Client{Transport: tel.Transport(nil)}
	srv := httptest.NewServer(tel.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, next.URL, nil)
		if resp, err := out.Do(req); err == nil {
			resp.Body.Close()
		}
	})))
	defer srv.Close()
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	get(t, http.DefaultClient, srv.URL, http.Header{"Traceparent": {tp}})
	if g := <-got; g != tp {
		t.Fatalf("next hop got traceparent %q, want %q", g, tp)
	}
}

// TestMetricsListener serves /metrics on a listener of its own until the
// context ends.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	tel, err := telemetry.New(context.Background(), telemetry.Config{ServiceName: "svc", Sampler: "parentbased_always_on", MetricsAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer flush(t, tel)
	ln, err := tel.ListenMetrics()
	if err != nil || ln == nil {
		t.Fatalf("ListenMetrics = %v, %v", ln, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tel.ServeMetrics(ctx, ln, slog.New(slog.DiscardHandler)) }()
	base := "http://" + ln.Addr().String()
	if code, body := get(t, http.DefaultClient, base+"/metrics", nil); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics = %d %.200s", code, body)
	}
	if code, _ := get(t, http.DefaultClient, base+"/graphql", nil); code != http.StatusNotFound {
		t.Fatalf("/graphql on the metrics listener = %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("metrics listener still open after shutdown")
	}
	off, err := telemetry.New(context.Background(), telemetry.Config{ServiceName: "svc", Sampler: "parentbased_always_on"})
	if err != nil {
		t.Fatal(err)
	}
	if ln, err := off.ListenMetrics(); ln != nil || err != nil {
		t.Fatalf("ListenMetrics with metrics off = %v, %v", ln, err)
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		"GET /internal/users/{id}": "/internal/users/{id}",
		"/graphql":                 "/graphql",
		"GET /{$}":                 "/",
		"":                         "",
		"example.com/x":            "/x",
	} {
		if got := telemetry.Route(pattern); got != want {
			t.Errorf("Route(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, a := range s.Attributes() {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

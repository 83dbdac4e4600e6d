package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestShutdownDrainsBeforeClosing: on SIGTERM /ready fails at once while
// /health and GraphQL still answer; the port closes only after
// SHUTDOWN_DRAIN_DELAY.
func TestShutdownDrainsBeforeClosing(t *testing.T) {
	t.Parallel()
	const delay = 1500 * time.Millisecond
	in := start(t, options{vars: map[string]string{"SHUTDOWN_DRAIN_DELAY": delay.String()}})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	status := func(path string) int {
		t.Helper()
		resp, err := client.Get(in.URL + path)
		if err != nil {
			t.Fatalf("GET %s while draining: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := status("/ready"); c != http.StatusOK {
		t.Fatalf("/ready before shutdown = %d", c)
	}
	began := time.Now()
	stopped := make(chan struct{})
	go func() { in.stop(); close(stopped) }()
	eventually(t, delay/2, "/ready to fail", func() (bool, error) { return status("/ready") == http.StatusServiceUnavailable, nil })
	if c := status("/health"); c != http.StatusOK {
		t.Fatalf("/health while draining = %d", c)
	}
	if r := gql(t, in.URL, `{ users { _id } }`, nil, nil); len(r.Errors) > 0 {
		t.Fatalf("query while draining: %+v", r.Errors)
	}
	if time.Since(began) >= delay {
		t.Fatal("the checks outlasted the drain delay; they prove nothing")
	}
	<-stopped
	if d := time.Since(began); d < delay {
		t.Fatalf("stopped after %s, before the drain delay of %s", d, delay)
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(in.URL, "http://"), time.Second); err == nil {
		c.Close()
		t.Fatal("connection accepted after shutdown")
	}
}

// keep holds spans across the exporter's Shutdown (the in-memory exporter
// forgets them there).
type keep struct{ *tracetest.InMemoryExporter }

func (keep) Shutdown(context.Context) error { return nil }

// TestRequestsTracedAndMeasured: a GraphQL request continues the caller's
// trace with an operation span and the database and Redis spans beneath,
// and is measured as http.server.request.duration with its route and
// operation.
func TestRequestsTracedAndMeasured(t *testing.T) {
	t.Parallel()
	exp := keep{tracetest.NewInMemoryExporter()}
	in := start(t, options{spans: exp})
	const traceID, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	hdr := map[string]string{"traceparent": "00-" + traceID + "-" + parent + "-01"}
	name := testenv.Name("traced")
	vars := map[string]any{"input": map[string]any{"username": name, "password": "correct horse battery"}}
	if r := gql(t, in.URL, `mutation Register($input: RegisterUserInput) { registerUser(input: $input) { access_token } }`, vars, hdr); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if r := gql(t, in.URL, `mutation Login($input: LoginInput) { login(input: $input) { access_token } }`, vars, hdr); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if err := in.app.tel.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	byID := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range exp.GetSpans().Snapshots() {
		if s.SpanContext().TraceID().String() == traceID {
			byID[s.SpanContext().SpanID().String()] = s
		}
	}
	var servers, ops, mongoSpans, redisSpans int
	for _, s := range byID {
		attrs := map[string]string{}
		for _, a := range s.Attributes() {
			attrs[string(a.Key)] = a.Value.Emit()
		}
		switch {
		case s.Name() == "POST /graphql":
			servers++
			if s.Parent().SpanID().String() != parent {
				t.Errorf("server span under %s, want the caller's %s", s.Parent().SpanID(), parent)
			}
		case s.Name() == "mutation Register" || s.Name() == "mutation Login":
			ops++
			if attrs["graphql.operation.type"] != "mutation" || "mutation "+attrs["graphql.operation.name"] != s.Name() {
				t.Errorf("operation span %q attributes %v", s.Name(), attrs)
			}
		case attrs["db.system"] == "mongodb" || attrs["db.system.name"] == "mongodb":
			mongoSpans++
		case attrs["db.system"] == "redis" || attrs["db.system.name"] == "redis":
			redisSpans++
		}
		if p := s.Parent().SpanID().String(); p != parent && byID[p] == nil {
			t.Errorf("span %q hangs under %s, which is not in the trace", s.Name(), p)
		}
	}
	if servers != 2 || ops != 2 || mongoSpans == 0 || redisSpans == 0 {
		t.Fatalf("trace has %d server, %d operation, %d MongoDB and %d Redis spans; want 2, 2 and some of each", servers, ops, mongoSpans, redisSpans)
	}

	srv := httptest.NewServer(in.app.MetricsHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var found bool
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "http_server_request_duration_seconds_count{") &&
			strings.Contains(line, `graphql_operation_name="Register"`) && strings.Contains(line, `graphql_operation_type="mutation"`) &&
			strings.Contains(line, `http_route="/graphql"`) && strings.Contains(line, `http_request_method="POST"`) && strings.Contains(line, `http_response_status_code="200"`) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no http_server_request_duration_seconds series for the Register mutation:\n%s", body)
	}
}

// syncBuffer collects log output written from several goroutines.
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

// TestRunServesMetricsOnItsOwnListener: Run opens METRICS_ADDR beside the
// service's port; the metrics are there and not on the public port.
func TestRunServesMetricsOnItsOwnListener(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	cfg, err := LoadConfig(config.FromMap(map[string]string{
		"API_SECRET": testSecret, "MONGO_URI": env.MongoURI, "MONGO_DB": testenv.Name("users"),
		"KAFKA_BROKERS": strings.Join(env.KafkaBrokers, ","), "KAFKA_TOPIC_PREFIX": testenv.Name("t") + ".",
		"LISTEN_ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	public, metrics := regexp.MustCompile(`msg=listening addr=(\S+)`), regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)
	var publicAddr, metricsAddr string
	eventually(t, 30*time.Second, "both listeners", func() (bool, error) {
		if m := public.FindStringSubmatch(logs.String()); m != nil {
			publicAddr = m[1]
		}
		if m := metrics.FindStringSubmatch(logs.String()); m != nil {
			metricsAddr = m[1]
		}
		return publicAddr != "" && metricsAddr != "", nil
	})
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + metricsAddr + "/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics listener: %d %.200s", code, body)
	}
	if code, _ := get("http://" + publicAddr + "/metrics"); code != http.StatusNotFound {
		t.Fatalf("/metrics on the public port = %d, want 404", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Package metrics measures the router with OpenTelemetry instruments named
// by the semantic conventions, exported in the Prometheus format:
// http.server.request.duration for client requests to /graphql (with the
// GraphQL operation's name and type) and http.client.request.duration for
// the fetches the engine makes to subgraphs (with the subgraph's name).
// The Prometheus exporter translates the names, e.g. to
// http_server_request_duration_seconds. Each router has its own registry,
// so several routers in one process (tests, the dev stack) do not collide.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/shopsupergraph/shop/router/internal/reqinfo"
)

// maxOperationNames bounds the operation attribute's values: names come
// from clients, and unbounded values would let them exhaust memory. Names
// seen after the limit is reached are reported as "other".
const maxOperationNames = 1000

// SubgraphNameKey names the subgraph a fetch went to. The semantic
// conventions have no attribute for it; server.address alone cannot tell
// two subgraphs behind one host apart.
const SubgraphNameKey = attribute.Key("subgraph.name")

// durationBuckets are the boundaries the semantic conventions advise for
// HTTP durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Metrics holds the router's instruments and the registry they are
// exported from.
type Metrics struct {
	reg      *prometheus.Registry
	provider *sdkmetric.MeterProvider
	server   metric.Float64Histogram
	client   metric.Float64Histogram

	mu    sync.RWMutex
	names map[string]bool
}

// New builds the instruments (and Go runtime and process collectors) in a
// fresh registry; serviceName is service.name in target_info.
func New(serviceName string) (*Metrics, error) {
	m := &Metrics{reg: prometheus.NewRegistry(), names: map[string]bool{}}
	if err := errors.Join(
		m.reg.Register(collectors.NewGoCollector()),
		m.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})),
	); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(m.reg))
	if err != nil {
		return nil, fmt.Errorf("metrics: prometheus exporter: %w", err)
	}
	m.provider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp),
		sdkmetric.WithResource(resource.NewSchemaless(semconv.ServiceName(serviceName))))
	meter := m.provider.Meter("github.com/shopsupergraph/shop/router")
	if m.server, err = meter.Float64Histogram("http.server.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of GraphQL requests to the router."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if m.client, err = meter.Float64Histogram("http.client.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of subgraph fetches, until the response headers."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return m, nil
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry, e.g. to add collectors of the embedder.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Shutdown stops the meter provider.
func (m *Metrics) Shutdown(ctx context.Context) error {
	if err := m.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("metrics shutdown: %w", err)
	}
	return nil
}

// Middleware measures the GraphQL requests handled by next.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, info := reqinfo.With(r.Context())
		rec := reqinfo.NewRecorder(w)
		next.ServeHTTP(rec, r.WithContext(ctx))
		status := rec.Status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := make([]attribute.KeyValue, 0, 6)
		attrs = append(attrs,
			method(r.Method),
			semconv.HTTPResponseStatusCode(status),
			semconv.HTTPRoute("/graphql"),
			semconv.GraphQLOperationName(m.label(info.OperationName)),
		)
		if info.OperationType != "" {
			attrs = append(attrs, semconv.GraphQLOperationTypeKey.String(info.OperationType))
		}
		if rec.Failed() {
			// GraphQL errors travel in 200 answers; error.type tells them
			// apart from successes without a second instrument.
			e := "graphql_error"
			if rec.Status >= 400 {
				e = strconv.Itoa(rec.Status)
			}
			attrs = append(attrs, semconv.ErrorTypeKey.String(e))
		}
		m.server.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	})
}

// Operation measures one operation that Middleware does not see: a
// subscription, which runs over a WebSocket or SSE stream for as long as
// it lasts. It is recorded on the same instrument as requests, with the
// operation's type, when the returned function is called at its end.
func (m *Metrics) Operation(ctx context.Context, httpMethod, opName, opType string) (end func(failed bool)) {
	start := time.Now()
	return func(failed bool) {
		attrs := make([]attribute.KeyValue, 0, 6)
		attrs = append(attrs,
			method(httpMethod),
			semconv.HTTPResponseStatusCode(http.StatusOK),
			semconv.HTTPRoute("/graphql"),
			semconv.GraphQLOperationName(m.label(opName)),
		)
		if opType != "" {
			attrs = append(attrs, semconv.GraphQLOperationTypeKey.String(opType))
		}
		if failed {
			attrs = append(attrs, semconv.ErrorTypeKey.String("graphql_error"))
		}
		m.server.Record(context.WithoutCancel(ctx), time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	}
}

// method is http.request.method, with methods outside the standard ones
// as "_OTHER" (clients choose them, and every value is a new series).
func method(m string) attribute.KeyValue {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead,
		http.MethodOptions, http.MethodPatch, http.MethodConnect, http.MethodTrace:
		return semconv.HTTPRequestMethodKey.String(m)
	}
	return semconv.HTTPRequestMethodKey.String("_OTHER")
}

func (m *Metrics) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	m.mu.RLock()
	known := m.names[name]
	m.mu.RUnlock()
	if known {
		return name
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}

// Transport measures subgraph fetches until their response headers;
// subgraphByURL maps request URLs to subgraph names (unknown URLs are
// named by host).
func (m *Metrics) Transport(subgraphByURL map[string]string, next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		name, ok := subgraphByURL[r.URL.String()]
		if !ok {
			name = r.URL.Host
		}
		start := time.Now()
		resp, err := next.RoundTrip(r)
		elapsed := time.Since(start).Seconds()
		attrs := make([]attribute.KeyValue, 0, 6)
		attrs = append(attrs, method(r.Method), SubgraphNameKey.String(name))
		host, port, splitErr := net.SplitHostPort(r.URL.Host)
		if splitErr != nil {
			host = r.URL.Host
		}
		attrs = append(attrs, semconv.ServerAddress(host))
		if p, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, semconv.ServerPort(p))
		}
		switch {
		case err != nil:
			attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(err)))
		default:
			attrs = append(attrs, semconv.HTTPResponseStatusCode(resp.StatusCode))
			if resp.StatusCode >= 400 {
				attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
			}
		}
		m.client.Record(r.Context(), elapsed, metric.WithAttributes(attrs...))
		return resp, err
	})
}

// errorType is a low-cardinality error.type for a failed fetch.
func errorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "_OTHER"
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

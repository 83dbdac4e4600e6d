// Package metrics exposes Prometheus metrics for the router: requests,
// errors and latency per operation name, and the same per subgraph for the
// fetches the engine makes. Each router has its own registry, so several
// routers in one process (tests, the dev stack) do not collide.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shopsupergraph/shop/router/internal/reqinfo"
)

// maxOperationNames bounds the operation label's values: names come from
// clients, and an unbounded label would let them exhaust memory. Names
// seen after the limit is reached are reported as "other".
const maxOperationNames = 1000

// Metrics holds the router's collectors.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	subRequests *prometheus.CounterVec
	subErrors   *prometheus.CounterVec
	subDuration *prometheus.HistogramVec

	mu    sync.RWMutex
	names map[string]bool
}

// New registers the router's collectors (and Go runtime ones) in a fresh
// registry.
func New() *Metrics {
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_http_requests_total", Help: "GraphQL requests by operation name and HTTP status.",
		}, []string{"operation", "status"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_http_request_errors_total", Help: "GraphQL requests answered with an HTTP error or GraphQL errors, by operation name.",
		}, []string{"operation"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "router_http_request_duration_seconds", Help: "GraphQL request latency by operation name.", Buckets: buckets,
		}, []string{"operation"}),
		subRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_subgraph_requests_total", Help: "Subgraph fetches by subgraph and HTTP status (\"error\" when the transport failed).",
		}, []string{"subgraph", "status"}),
		subErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_subgraph_request_errors_total", Help: "Subgraph fetches that failed in transport or with an HTTP error status.",
		}, []string{"subgraph"}),
		subDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "router_subgraph_request_duration_seconds", Help: "Subgraph fetch latency until response headers, by subgraph.", Buckets: buckets,
		}, []string{"subgraph"}),
		names: map[string]bool{},
	}
	m.reg.MustRegister(m.requests, m.errors, m.duration, m.subRequests, m.subErrors, m.subDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry, e.g. to add collectors of the embedder.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Middleware counts and times the GraphQL requests handled by next.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, info := reqinfo.With(r.Context())
		rec := reqinfo.NewRecorder(w)
		next.ServeHTTP(rec, r.WithContext(ctx))
		op := m.label(info.OperationName)
		status := rec.Status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
		if rec.Failed() {
			m.errors.WithLabelValues(op).Inc()
		}
		m.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	})
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

// Transport counts and times subgraph fetches; subgraphByURL maps request
// URLs to subgraph names (unknown URLs are labelled by host).
func (m *Metrics) Transport(subgraphByURL map[string]string, next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		name, ok := subgraphByURL[r.URL.String()]
		if !ok {
			name = r.URL.Host
		}
		start := time.Now()
		resp, err := next.RoundTrip(r)
		m.subDuration.WithLabelValues(name).Observe(time.Since(start).Seconds())
		switch {
		case err != nil:
			m.subRequests.WithLabelValues(name, "error").Inc()
			m.subErrors.WithLabelValues(name).Inc()
		default:
			m.subRequests.WithLabelValues(name, strconv.Itoa(resp.StatusCode)).Inc()
			if resp.StatusCode >= 400 {
				m.subErrors.WithLabelValues(name).Inc()
			}
		}
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

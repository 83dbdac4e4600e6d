package telemetry

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Handler traces and measures the requests h serves: it continues the
// caller's traceparent, records a server span named after the route, and
// the http.server.request.duration histogram (http.request.method,
// http.response.status_code, http.route). The probes /health and /ready
// are left out: a load balancer polls them every few seconds.
func (t *Telemetry) Handler(h http.Handler) http.Handler {
	return otelhttp.NewHandler(routeAttribute(h), "http.server",
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithMeterProvider(t.mp),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path != "/health" && r.URL.Path != "/ready" }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if route := Route(r.Pattern); route != "" {
				return r.Method + " " + route
			}
			return r.Method
		}),
	)
}

// routeAttribute sets http.route on the server span once h has routed the
// request: otelhttp reads the route when the span starts, before a
// ServeMux inside has matched a pattern, so only the metrics would get it.
func routeAttribute(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if route := Route(r.Pattern); route != "" {
			trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(route))
		}
	})
}

// Route turns a ServeMux pattern ("GET /internal/users/{id}") into the
// http.route it stands for ("/internal/users/{id}").
func Route(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		pattern = pattern[i:]
	} else {
		return ""
	}
	if p := strings.TrimSuffix(pattern, "{$}"); p != "" {
		return p
	}
	return pattern
}

// Transport traces and measures the requests sent through rt (nil:
// http.DefaultTransport): a client span per request whose context goes
// along in the traceparent header, and the http.client.request.duration
// histogram (server.address, server.port, http.request.method,
// http.response.status_code).
func (t *Telemetry) Transport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return otelhttp.NewTransport(rt,
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithMeterProvider(t.mp),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

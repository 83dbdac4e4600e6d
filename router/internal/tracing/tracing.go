// Package tracing adds OpenTelemetry tracing to the router: it continues
// the client's W3C trace (traceparent/tracestate), records a server span
// per GraphQL request and a client span per subgraph fetch, and passes the
// trace on to subgraphs so they can continue it.
package tracing

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopsupergraph/shop/router/internal/reqinfo"
)

// Config selects the exporter and sampling.
type Config struct {
	// Exporter is "none" (propagate and sample, export nothing), "stdout"
	// (pretty JSON on Writer) or "otlp" (OTLP over HTTP to Endpoint).
	Exporter string
	// Endpoint is the OTLP/HTTP collector, e.g. "localhost:4318".
	Endpoint string
	// Insecure uses plain HTTP for OTLP.
	Insecure bool
	// ServiceName names the router in traces (default "router").
	ServiceName string
	// SampleRatio samples new traces (0..1); a sampled parent is always
	// followed.
	SampleRatio float64
	// Writer receives stdout exports (default os.Stdout when nil).
	Writer io.Writer
	// SpanExporter, when set, replaces Exporter (tests, embedders).
	SpanExporter sdktrace.SpanExporter
}

// Tracer owns the tracer provider; Shutdown flushes it.
type Tracer struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
}

// New builds the provider for cfg.
func New(ctx context.Context, cfg Config) (*Tracer, error) {
	if cfg.ServiceName == "" {
		cfg.ServiceName = "router"
	}
	exp := cfg.SpanExporter
	if exp == nil {
		var err error
		switch cfg.Exporter {
		case "", "none":
		case "stdout":
			opts := []stdouttrace.Option{stdouttrace.WithPrettyPrint()}
			if cfg.Writer != nil {
				opts = append(opts, stdouttrace.WithWriter(cfg.Writer))
			}
			exp, err = stdouttrace.New(opts...)
		case "otlp":
			opts := []otlptracehttp.Option{}
			if cfg.Endpoint != "" {
				opts = append(opts, otlptracehttp.WithEndpoint(cfg.Endpoint))
			}
			if cfg.Insecure {
				opts = append(opts, otlptracehttp.WithInsecure())
			}
			exp, err = otlptracehttp.New(ctx, opts...)
		default:
			return nil, fmt.Errorf("tracing: unknown exporter %q (want none, stdout or otlp)", cfg.Exporter)
		}
		if err != nil {
			return nil, fmt.Errorf("tracing: exporter %s: %w", cfg.Exporter, err)
		}
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(cfg.ServiceName))),
	}
	if exp != nil {
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	return &Tracer{
		provider: tp,
		tracer:   tp.Tracer("github.com/shopsupergraph/shop/router"),
		prop:     propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}, nil
}

// Shutdown exports pending spans and stops the provider.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing shutdown: %w", err)
	}
	return nil
}

// Middleware starts a server span per request, as a child of the client's
// traceparent when there is one.
func (t *Tracer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, info := reqinfo.With(ctx)
		ctx, span := t.tracer.Start(ctx, "graphql.request", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
		defer span.End()
		rec := reqinfo.NewRecorder(w)
		next.ServeHTTP(rec, r.WithContext(ctx))
		if info.OperationName != "" {
			span.SetName("graphql.request " + info.OperationName)
			span.SetAttributes(attribute.String("graphql.operation.name", info.OperationName))
		}
		if info.OperationType != "" {
			span.SetAttributes(attribute.String("graphql.operation.type", info.OperationType))
		}
		span.SetAttributes(attribute.Int("http.response.status_code", rec.Status))
		if rec.Failed() {
			span.SetStatus(codes.Error, "request failed")
		}
	})
}

// Operation starts the server span of an operation that Middleware does
// not see (a subscription over a WebSocket or SSE stream), as a child of
// the traceparent in header when there is one. The returned context
// carries the span for the operation's subgraph fetches; end closes it.
func (t *Tracer) Operation(ctx context.Context, header http.Header, httpMethod, opName, opType string) (context.Context, func(failed bool)) {
	ctx = t.prop.Extract(ctx, propagation.HeaderCarrier(header))
	name := "graphql.request"
	attrs := []attribute.KeyValue{attribute.String("http.request.method", httpMethod), attribute.String("url.path", "/graphql")}
	if opName != "" {
		name += " " + opName
		attrs = append(attrs, attribute.String("graphql.operation.name", opName))
	}
	if opType != "" {
		attrs = append(attrs, attribute.String("graphql.operation.type", opType))
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	return ctx, func(failed bool) {
		if failed {
			span.SetStatus(codes.Error, "operation failed")
		}
		span.End()
	}
}

// Transport records a client span per subgraph fetch and injects the
// trace context into the fetch's headers. subgraphByURL names the spans.
func (t *Tracer) Transport(subgraphByURL map[string]string, next http.RoundTripper) http.RoundTripper {
	return &transport{t: t, names: subgraphByURL, next: next}
}

type transport struct {
	t     *Tracer
	names map[string]string
	next  http.RoundTripper
}

func (tr *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	name, ok := tr.names[r.URL.String()]
	if !ok {
		name = r.URL.Host
	}
	ctx, span := tr.t.tracer.Start(r.Context(), "subgraph "+name, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("subgraph.name", name), attribute.String("server.address", r.URL.Host)))
	defer span.End()
	// RoundTrippers must not modify the caller's request: clone the headers.
	r = r.Clone(ctx)
	tr.t.prop.Inject(ctx, propagation.HeaderCarrier(r.Header))
	resp, err := tr.next.RoundTrip(r)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, resp.Status)
	}
	return resp, nil
}

// Exporter receives finished spans; it is the OpenTelemetry SDK's
// SpanExporter, named here so embedders need not import the SDK.
type Exporter = sdktrace.SpanExporter

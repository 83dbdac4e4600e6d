// Package telemetry gives a service OpenTelemetry traces and metrics.
//
// Traces go over OTLP/HTTP to the collector the standard OTEL_* variables
// name; without an endpoint nothing is exported, but the W3C trace context
// (traceparent, baggage) is still continued and passed on, so a trace
// crosses a service that does not export. Metrics follow OpenTelemetry's
// semantic conventions and are served in the Prometheus format on a
// listener of their own (METRICS_ADDR), never on the service's public port.
//
// Nothing here is global: every service builds its own Telemetry, so the
// services that share one process (the dev stack) keep their own names and
// registries.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/shopsupergraph/shop/platform/config"
)

// Config is what a service reads from its environment (see Load).
type Config struct {
	// ServiceName is service.name on every span and metric.
	ServiceName string
	// TracesURL is the full OTLP/HTTP URL spans are posted to; "" exports
	// none (the trace context is still propagated).
	TracesURL string
	// Sampler and SamplerArg are OTEL_TRACES_SAMPLER and its argument.
	Sampler    string
	SamplerArg float64
	// MetricsAddr is the metrics listener's address; "" serves none.
	MetricsAddr string
	// SpanExporter, when set, receives the spans instead of TracesURL
	// (tests, embedders).
	SpanExporter sdktrace.SpanExporter
}

// Samplers accepted in OTEL_TRACES_SAMPLER.
var samplers = []string{"always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"}

// Load reads the telemetry variables, recording problems on env:
//
//	OTEL_SERVICE_NAME                   service.name (default: service)
//	OTEL_EXPORTER_OTLP_ENDPOINT         collector base URL, e.g. http://otel-collector:4318 (spans go to /v1/traces)
//	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  full URL for spans; wins over the base URL
//	OTEL_EXPORTER_OTLP_PROTOCOL         only http/protobuf (the default) is supported
//	OTEL_TRACES_SAMPLER                 default parentbased_always_on
//	OTEL_TRACES_SAMPLER_ARG             ratio for the traceidratio samplers (default 1)
//	OTEL_SDK_DISABLED                   true exports nothing
//	METRICS_ADDR                        metrics listener (default defaultMetricsAddr; "off" for none)
//
// The exporter also reads the other OTEL_EXPORTER_OTLP_* variables
// (headers, timeout, compression, certificates) and OTEL_BSP_* (batching)
// from the process environment, as the OpenTelemetry SDK defines them.
func Load(env *config.Env, service, defaultMetricsAddr string) Config {
	c := Config{
		ServiceName: env.String("OTEL_SERVICE_NAME", service),
		Sampler:     strings.ToLower(env.String("OTEL_TRACES_SAMPLER", "parentbased_always_on")),
		MetricsAddr: env.String("METRICS_ADDR", defaultMetricsAddr),
	}
	if strings.EqualFold(c.MetricsAddr, "off") {
		c.MetricsAddr = ""
	} else if _, _, err := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr != "" && err != nil {
		env.Problem("METRICS_ADDR: want host:port or off, got %q", c.MetricsAddr)
	}
	if !env.Bool("OTEL_SDK_DISABLED", false) {
		c.TracesURL = tracesURL(env)
	}
	if p := env.String("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"); p != "http/protobuf" {
		env.Problem("OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf is supported, got %q", p)
	}
	if !contains(samplers, c.Sampler) {
		env.Problem("OTEL_TRACES_SAMPLER: want one of %s, got %q", strings.Join(samplers, ", "), c.Sampler)
	}
	c.SamplerArg = 1
	if v := env.String("OTEL_TRACES_SAMPLER_ARG", ""); v != "" && strings.HasSuffix(c.Sampler, "traceidratio") {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || r > 1 {
			env.Problem("OTEL_TRACES_SAMPLER_ARG: want a ratio within 0..1, got %q", v)
		}
		c.SamplerArg = r
	}
	return c
}

// tracesURL is the URL spans are posted to: the traces endpoint as given,
// or the base endpoint with the signal's path appended (as the OTLP
// specification says for OTLP/HTTP).
func tracesURL(env *config.Env) string {
	key, u := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	if u == "" {
		key, u = "OTEL_EXPORTER_OTLP_ENDPOINT", env.String("OTEL_EXPORTER_OTLP_ENDPOINT", "")
		if u != "" {
			u = strings.TrimRight(u, "/") + "/v1/traces"
		}
	}
	if u == "" {
		return ""
	}
	if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		env.Problem("%s: want an http(s) URL, got %q", key, u)
	}
	return u
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// String describes the configuration for logs.
func (c Config) String() string {
	traces := "off"
	if c.TracesURL != "" {
		traces = redact(c.TracesURL)
	}
	metrics := c.MetricsAddr
	if metrics == "" {
		metrics = "off"
	}
	return fmt.Sprintf("traces=%s sampler=%s metrics=%s", traces, c.Sampler, metrics)
}

// redact hides user information in a URL.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Redacted()
}

// Telemetry is one service's tracer and meter providers and its metrics
// registry. Call Shutdown when the service stops, to flush the spans.
type Telemetry struct {
	cfg    Config
	tp     trace.TracerProvider
	sdkTP  *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
	reg    *prometheus.Registry
	prop   propagation.TextMapPropagator
	tracer trace.Tracer
	// opNames bounds the operation names used as metric attributes.
	opNames *nameCap
}

// New builds the providers for cfg. It contacts no collector: spans are
// exported in the background, and an unreachable collector only loses
// spans.
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	res := resource.NewSchemaless(semconv.ServiceName(cfg.ServiceName))
	t := &Telemetry{
		cfg:     cfg,
		reg:     prometheus.NewRegistry(),
		prop:    propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		opNames: newNameCap(maxOperationNames),
	}
	exp := cfg.SpanExporter
	if exp == nil && cfg.TracesURL != "" {
		var err error
		if exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(cfg.TracesURL)); err != nil {
			return nil, fmt.Errorf("telemetry: trace exporter: %w", err)
		}
	}
	if exp != nil {
		t.sdkTP = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res), sdktrace.WithSampler(sampler(cfg)))
		t.tp = t.sdkTP
	} else {
		t.tp = noop.NewTracerProvider()
	}
	t.tracer = t.tp.Tracer(scope)

	if err := t.reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if err := t.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	reader, err := otelprom.New(otelprom.WithRegisterer(t.reg))
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res))
	return t, nil
}

// scope names this package's own spans (GraphQL operations).
const scope = "github.com/shopsupergraph/shop/platform/telemetry"

func sampler(cfg Config) sdktrace.Sampler {
	ratio := sdktrace.TraceIDRatioBased(cfg.SamplerArg)
	switch cfg.Sampler {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return ratio
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(ratio)
	default:
		return sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
}

// TracerProvider is the service's tracer provider (a no-op one when no
// spans are exported: it still carries the incoming trace context).
func (t *Telemetry) TracerProvider() trace.TracerProvider { return t.tp }

// MeterProvider is the service's meter provider; its instruments appear
// on the metrics listener.
func (t *Telemetry) MeterProvider() metric.MeterProvider { return t.mp }

// Propagator is W3C trace context plus baggage.
func (t *Telemetry) Propagator() propagation.TextMapPropagator { return t.prop }

// Registry is the Prometheus registry behind the metrics listener, for
// collectors written against the Prometheus client rather than the
// OpenTelemetry API.
func (t *Telemetry) Registry() *prometheus.Registry { return t.reg }

// Config is the configuration the telemetry was built from.
func (t *Telemetry) Config() Config { return t.cfg }

// ForceFlush exports the spans buffered so far.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	if t.sdkTP == nil {
		return nil
	}
	if err := t.sdkTP.ForceFlush(ctx); err != nil {
		return fmt.Errorf("telemetry flush: %w", err)
	}
	return nil
}

// Shutdown exports the spans still buffered and stops the providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	if t.sdkTP != nil {
		errs = append(errs, t.sdkTP.Shutdown(ctx))
	}
	errs = append(errs, t.mp.Shutdown(ctx))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("telemetry shutdown: %w", err)
	}
	return nil
}

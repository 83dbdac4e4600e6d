// Package app is the router's public entry point: it loads the supergraph,
// builds the engine and serves it over HTTP. cmd/router, the embedded dev
// stack and tests use it in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/shopsupergraph/shop/router/internal/config"
	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/metrics"
	"github.com/shopsupergraph/shop/router/internal/server"
	"github.com/shopsupergraph/shop/router/internal/supergraph"
	"github.com/shopsupergraph/shop/router/internal/tracing"
)

// Config is the router configuration (see router.yaml).
type Config = config.Config

// DefaultConfig returns the defaults: listen 127.0.0.1:4000, forward
// Authorization, x-api-key and x-api-token, deduplication on.
func DefaultConfig() Config { return config.Default() }

// LoadConfig reads router.yaml at path (optional when "") and applies the
// ROUTER_* environment variables.
func LoadConfig(path string) (Config, error) { return config.Load(path, nil) }

// LoadConfigEnv is LoadConfig with the ROUTER_* variables taken from
// environ ("KEY=value" pairs) instead of the process environment, for a
// caller that runs the router in-process with an environment of its own
// (the embedded dev stack reads .env as well).
func LoadConfigEnv(path string, environ []string) (Config, error) {
	if environ == nil {
		environ = []string{}
	}
	return config.Load(path, environ)
}

// Option adjusts how New builds the router.
type Option func(*options)

type options struct {
	sdl    string
	urls   map[string]string
	logger *slog.Logger

	// Production features (features.go).
	metrics         *metrics.Metrics
	traceExporter   tracing.Exporter
	accessLogWriter io.Writer
}

// WithSupergraphSDL uses this supergraph text instead of reading cfg.Supergraph.
func WithSupergraphSDL(sdl string) Option { return func(o *options) { o.sdl = sdl } }

// WithSubgraphURLs overrides routing URLs by subgraph name; it wins over
// the configuration and the environment.
func WithSubgraphURLs(urls map[string]string) Option {
	return func(o *options) {
		if o.urls == nil {
			o.urls = map[string]string{}
		}
		for k, v := range urls {
			o.urls[k] = v
		}
	}
}

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Router is a loaded supergraph served over HTTP.
type Router struct {
	cfg      Config
	engine   *engine.Engine
	handler  *server.Handler
	logger   *slog.Logger
	cancel   context.CancelFunc
	http     http.Handler
	features *features
}

// New loads the supergraph and builds the router. Call Close (or let Run
// return) to release its resources.
func New(cfg Config, opts ...Option) (*Router, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.sdl != "" && cfg.Supergraph == "" {
		cfg.Supergraph = "(in memory)"
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("router config: %w", err)
	}
	sdl := o.sdl
	if sdl == "" {
		data, err := os.ReadFile(cfg.Supergraph)
		if err != nil {
			return nil, fmt.Errorf("read supergraph: %w", err)
		}
		sdl = string(data)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f, err := newFeatures(ctx, cfg, o)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("router features: %w", err)
	}
	build := func(ctx context.Context, sdl string) (*engine.Engine, error) {
		sg, err := supergraph.Parse(sdl)
		if err != nil {
			return nil, fmt.Errorf("load supergraph: %w", err)
		}
		warnAnonymous(cfg, sg, o.logger)
		urls, called := map[string]string{}, map[string]string{}
		for _, g := range sg.Graphs() {
			called[g.Name] = g.URL
			if u := cfg.SubgraphURL(g.Name); u != "" {
				urls[g.Name] = u
			}
			if u, ok := o.urls[g.Name]; ok {
				urls[g.Name] = u
			}
			if u := urls[g.Name]; u != "" {
				called[g.Name] = u
			}
		}
		eng, err := engine.New(ctx, engine.Options{
			SupergraphSDL:   sdl,
			SubgraphURLs:    urls,
			ForwardHeaders:  forwardHeaders(cfg),
			HeaderSubgraphs: clientAddressSubgraphs(cfg),
			HTTP: engine.HTTPOptions{
				RequestTimeout:   cfg.Timeouts.SubgraphRequest,
				DialTimeout:      cfg.Timeouts.SubgraphDial,
				MaxResponseBytes: cfg.Limits.MaxSubgraphResponseBytes,
				WrapTransport:    f.wrapTransport(called),
			},
			DisableDeduplication: !cfg.DeduplicationEnabled(),
			MultiFetch:           cfg.MultiFetch,
			MaxConcurrency:       cfg.Limits.MaxConcurrency,
			OperationCacheSize:   cfg.Cache.Operations,
			PlanCacheSize:        cfg.Cache.Plans,
			Authorization:        authorization(cfg),
			DemandControl:        demandControl(cfg),
			Override:             engine.OverrideOptions{Labels: cfg.OverrideLabels(), Header: cfg.OverrideLabelsHeader},
			Logger:               o.logger,
		})
		if err != nil {
			return nil, fmt.Errorf("build engine: %w", err)
		}
		return eng, nil
	}
	eng, exec, err := f.engine(ctx, sdl, o.sdl == "", build, o.logger)
	if err != nil {
		cancel()
		return nil, errors.Join(err, f.close())
	}
	h := server.New(exec, server.Options{MaxRequestBytes: cfg.Limits.MaxRequestBytes, Logger: o.logger, Hook: f.hook(f.current(eng))})
	root := server.ReadBodyWithin(f.wrap(h), cfg.Timeouts.ReadBody, cfg.Limits.MaxRequestBytes)
	return &Router{cfg: cfg, engine: eng, handler: h, logger: o.logger, cancel: cancel, http: root, features: f}, nil
}

// Handler serves /graphql, /health, /ready and the enabled features
// (playground at /). Metrics are not among them: see MetricsHandler.
func (r *Router) Handler() http.Handler { return r.http }

// MetricsHandler serves the metrics in the Prometheus format, or is nil
// when metrics are off. Run serves it on metrics.listen; embedders that
// call Serve put it where they like, never on the public port.
func (r *Router) MetricsHandler() http.Handler {
	if r.features.metrics == nil {
		return nil
	}
	return r.features.metrics.Handler()
}

// SubgraphURLs returns the URL used for each subgraph, by subgraph name.
func (r *Router) SubgraphURLs() map[string]string {
	return r.features.current(r.engine)().SubgraphURLs()
}

// Close releases the engine's resources; in-flight requests fail.
func (r *Router) Close() {
	r.cancel()
	if err := r.features.close(); err != nil {
		r.logger.Warn("close router features", "err", err)
	}
}

// Run listens on cfg.Listen, and on metrics.listen when metrics are on,
// and serves until ctx is cancelled; then it drains as Serve does.
func (r *Router) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", r.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var mln net.Listener
	if r.features.metrics != nil {
		if mln, err = net.Listen("tcp", r.cfg.Metrics.Listen); err != nil {
			_ = ln.Close() //nolint:errcheck // failing start-up anyway
			return fmt.Errorf("metrics listen: %w", err)
		}
	}
	return r.serve(ctx, ln, mln)
}

// Serve is Run on an existing listener (e.g. 127.0.0.1:0 in tests),
// without a metrics listener. When ctx ends, /ready answers 503 at once
// while requests are still served for timeouts.drain_delay, so a load
// balancer stops sending; then the listener closes and requests in flight
// get timeouts.shutdown to finish.
func (r *Router) Serve(ctx context.Context, ln net.Listener) error { return r.serve(ctx, ln, nil) }

func (r *Router) serve(ctx context.Context, ln, metricsLn net.Listener) error {
	defer r.Close()
	srv := &http.Server{
		Handler:           r.http,
		ReadHeaderTimeout: r.cfg.Timeouts.ReadHeader,
		IdleTimeout:       2 * time.Minute,
	}
	if metricsLn != nil {
		stop := r.serveMetrics(metricsLn)
		defer stop()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	r.logger.Info("router listening", "addr", ln.Addr().String(), "supergraph", r.cfg.Supergraph)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	r.handler.SetReady(false)
	if d := r.cfg.Timeouts.DrainDelay; d > 0 {
		r.logger.Info("draining: not ready, still serving", "delay", d)
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-time.After(d):
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeouts.Shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// serveMetrics serves the metrics at metrics.path on ln until the
// returned stop is called (after the public server has drained, so the
// drain itself is measured and scraped).
func (r *Router) serveMetrics(ln net.Listener) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("GET "+r.cfg.Metrics.Path, r.features.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: r.cfg.Timeouts.ReadHeader, IdleTimeout: 2 * time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.logger.Error("metrics listener stopped", "err", err)
		}
	}()
	r.logger.Info("metrics listening", "addr", ln.Addr().String(), "path", r.cfg.Metrics.Path)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx) //nolint:errcheck // a scrape cut short on shutdown is harmless
		<-done
	}
}

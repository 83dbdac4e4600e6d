package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/shopsupergraph/shop/router/internal/accesslog"
	"github.com/shopsupergraph/shop/router/internal/apq"
	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/config"
	"github.com/shopsupergraph/shop/router/internal/cors"
	"github.com/shopsupergraph/shop/router/internal/csrf"
	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/limits"
	"github.com/shopsupergraph/shop/router/internal/metrics"
	"github.com/shopsupergraph/shop/router/internal/playground"
	"github.com/shopsupergraph/shop/router/internal/queryplan"
	"github.com/shopsupergraph/shop/router/internal/reload"
	"github.com/shopsupergraph/shop/router/internal/reqinfo"
	"github.com/shopsupergraph/shop/router/internal/server"
	"github.com/shopsupergraph/shop/router/internal/subscriptions"
	"github.com/shopsupergraph/shop/router/internal/tracing"
)

// features holds the optional production features built from the config.
// Every one that is off is nil and costs nothing per request.
type features struct {
	cfg     Config
	metrics *metrics.Metrics
	// ownMetrics: metrics were made here (not WithMetrics) and stop with
	// the router.
	ownMetrics bool
	tracer     *tracing.Tracer
	limits     *limits.Checker
	persisted  *apq.Store
	accessLog  *slog.Logger
	logFile    io.Closer
	playground http.Handler
	clientAddr *server.ClientAddress
	trusted    []netip.Prefix
	swapper    *reload.Swapper
	authn      *authn.Authenticator
	apiKeys    *authn.APIKeys
	// current and requestHook are set by hook and used by wrap.
	currentEngine func() *engine.Engine
	requestHook   server.RequestHook
}

// WithMetrics records the router's metrics in an existing instance
// instead of a new one (tests, embedders exposing one registry).
func WithMetrics(m *metrics.Metrics) Option { return func(o *options) { o.metrics = m } }

// WithTraceExporter sends spans to exp when tracing is enabled (tests,
// embedders); it replaces tracing.exporter.
func WithTraceExporter(exp tracing.Exporter) Option {
	return func(o *options) { o.traceExporter = exp }
}

func newFeatures(ctx context.Context, cfg Config, o options) (*features, error) {
	f := &features{cfg: cfg}
	lc := limits.Config{
		MaxDepth:             cfg.Limits.MaxDepth,
		MaxAliases:           cfg.Limits.MaxAliases,
		MaxRootFields:        cfg.Limits.MaxRootFields,
		MaxTokens:            cfg.Limits.MaxTokens,
		MaxFields:            cfg.Limits.MaxFields,
		DisableIntrospection: !cfg.IntrospectionEnabled(),
	}
	if lc.Enabled() {
		f.limits = limits.New(lc)
	}
	pc := apq.Config{
		APQ:       cfg.PersistedQueries.APQ,
		CacheSize: cfg.PersistedQueries.APQCacheSize,
		Manifest:  cfg.PersistedQueries.Manifest,
		Safelist:  cfg.PersistedQueries.Safelist,
	}
	if pc.Enabled() {
		store, err := apq.New(pc)
		if err != nil {
			return nil, err
		}
		f.persisted = store
	}
	if cfg.Metrics.Enabled {
		f.metrics = o.metrics
		if f.metrics == nil {
			m, err := metrics.New(cfg.Tracing.ServiceName)
			if err != nil {
				return nil, err
			}
			f.metrics, f.ownMetrics = m, true
		}
	}
	if cfg.Tracing.Enabled {
		t, err := tracing.New(ctx, tracing.Config{
			Exporter:     cfg.Tracing.Exporter,
			Endpoint:     cfg.Tracing.Endpoint,
			Insecure:     cfg.Tracing.Insecure,
			ServiceName:  cfg.Tracing.ServiceName,
			SampleRatio:  cfg.Tracing.SampleRatio,
			SpanExporter: o.traceExporter,
		})
		if err != nil {
			return nil, err
		}
		f.tracer = t
	}
	if cfg.AccessLog.Enabled {
		var w io.Writer = os.Stdout
		if o.accessLogWriter != nil {
			w = o.accessLogWriter
		} else if cfg.AccessLog.Path != "" {
			file, err := os.OpenFile(cfg.AccessLog.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				return nil, fmt.Errorf("access log: %w", err)
			}
			f.logFile, w = file, file
		}
		f.accessLog = slog.New(slog.NewJSONHandler(w, nil))
	}
	trusted, err := config.ParseTrustedProxies(cfg.ClientAddress.TrustedProxies)
	if err != nil {
		return nil, err
	}
	f.trusted = trusted
	if cfg.ForwardClientAddress() {
		f.clientAddr = server.NewClientAddress(trusted)
	}
	if f.authn, err = newAuthenticator(ctx, cfg, o.logger); err != nil {
		return nil, err
	}
	if f.apiKeys, err = newAPIKeys(cfg, o.logger); err != nil {
		return nil, err
	}
	if cfg.PlaygroundEnabled() {
		h, err := playground.Handler(cfg, "/graphql")
		if err != nil {
			return nil, err
		}
		f.playground = h
	}
	return f, nil
}

// wrapTransport returns the subgraph transport wrapper for an engine whose
// subgraphs are called at urls (name -> URL), or nil when no feature needs
// to see subgraph fetches.
func (f *features) wrapTransport(urls map[string]string) func(http.RoundTripper) http.RoundTripper {
	byURL := map[string]string{}
	timeouts := map[string]time.Duration{}
	for name, u := range urls {
		byURL[u] = name
		if d := f.cfg.Subgraphs[name].Timeout; d > 0 {
			timeouts[u] = d
		}
	}
	if f.metrics == nil && f.tracer == nil && len(timeouts) == 0 {
		return nil
	}
	return func(rt http.RoundTripper) http.RoundTripper {
		if len(timeouts) > 0 {
			rt = limits.SubgraphTimeouts(timeouts, rt)
		}
		if f.metrics != nil {
			rt = f.metrics.Transport(byURL, rt)
		}
		if f.tracer != nil {
			rt = f.tracer.Transport(byURL, rt)
		}
		return rt
	}
}

// hook returns the server request hook, or nil when no feature needs one.
func (f *features) hook(current func() *engine.Engine) server.RequestHook {
	f.currentEngine = current
	f.requestHook = f.buildHook(current)
	return f.requestHook
}

func (f *features) buildHook(current func() *engine.Engine) server.RequestHook {
	wantName := f.metrics != nil || f.tracer != nil || f.accessLog != nil
	plans := f.cfg.QueryPlan.Enabled
	if f.persisted == nil && f.limits == nil && !wantName && !plans {
		return nil
	}
	return func(r *http.Request, req *engine.Request, ext json.RawMessage) error {
		if f.persisted != nil {
			if err := f.persisted.Resolve(req, ext); err != nil {
				return err
			}
		}
		info := reqinfo.From(r.Context())
		if info != nil {
			info.OperationType, info.OperationName = operationOf(req.Query, req.OperationName)
		}
		if f.limits != nil && req.Query != "" {
			if re := f.limits.Check(req.Query, req.OperationName); re != nil {
				return re
			}
		}
		if plans && info != nil && req.Query != "" && queryplan.Requested(r, f.cfg.QueryPlan.Header) {
			cp := *req
			qp, err := current().QueryPlanContext(r.Context(), &cp)
			if err != nil {
				return err
			}
			info.QueryPlan = qp
		}
		return nil
	}
}

// operationOf reads the type and name of the operation that runs: the one
// called name, or the first when name is empty. It only lexes the
// document, skipping the selections of the other definitions, for labels
// before the engine parses it; a document it cannot read gives "" and the
// name as asked.
func operationOf(query, name string) (typ, opName string) {
	lx := lexer.New(&ast.Source{Input: query})
	depth := 0
	start := true // at the start of a definition
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return "", name
		}
		switch tok.Kind {
		case lexer.BraceL, lexer.ParenL, lexer.BracketL:
			if depth == 0 && start && tok.Kind == lexer.BraceL && name == "" {
				return "query", "" // the query shorthand
			}
			depth++
			continue
		case lexer.BraceR, lexer.ParenR, lexer.BracketR:
			depth--
			if depth == 0 && tok.Kind == lexer.BraceR {
				start = true
			}
			continue
		}
		if depth != 0 || !start || tok.Kind != lexer.Name {
			continue
		}
		start = false
		switch tok.Value {
		case "query", "mutation", "subscription":
		default:
			continue // a fragment: skip to its end
		}
		next, err := lx.ReadToken()
		if err != nil {
			return "", name
		}
		got := ""
		switch next.Kind {
		case lexer.Name:
			got = next.Value
		case lexer.BraceL, lexer.ParenL:
			depth++
		}
		if name == "" || got == name {
			return tok.Value, got
		}
	}
}

// wrap puts the enabled features around the server handler. With all of
// them off it returns a handler that only adds the playground routes.
func (f *features) wrap(h *server.Handler) http.Handler {
	var gql http.Handler = h
	if f.cfg.QueryPlan.Enabled {
		gql = queryplan.Middleware(f.cfg.QueryPlan.Header, gql)
	}
	if f.authn != nil {
		gql = f.authn.Middleware(gql)
	}
	if f.apiKeys != nil {
		gql = f.apiKeys.Middleware(gql)
	}
	if d := f.cfg.Timeouts.Request; d > 0 {
		gql = limits.Timeout(d, gql)
	}
	if f.cfg.CSRFEnabled() {
		gql = csrf.Protect(f.cfg.CSRF.RequiredHeaders, gql)
	}
	if f.metrics != nil {
		gql = f.metrics.Middleware(gql)
	}
	if f.tracer != nil {
		gql = f.tracer.Middleware(gql)
	}
	if len(f.cfg.CORS.AllowOrigins) > 0 {
		gql = cors.Handler(cors.Config{
			AllowOrigins:     f.cfg.CORS.AllowOrigins,
			AllowCredentials: f.cfg.CORS.AllowCredentials,
			AllowHeaders:     f.cfg.CORS.AllowHeaders,
			AllowMethods:     f.cfg.CORS.AllowMethods,
			ExposeHeaders:    f.cfg.CORS.ExposeHeaders,
			MaxAgeSeconds:    int(f.cfg.CORS.MaxAge / time.Second),
		}, gql)
	}
	pg := f.playground
	var subs http.Handler
	if s := f.subscriptions(); s != nil {
		subs = withMethod(s)
		if f.authn != nil {
			subs = f.authn.Middleware(subs) // SSE; WebSockets at connection_init
		}
		if f.apiKeys != nil {
			subs = f.apiKeys.Middleware(subs) // SSE and the WebSocket upgrade's headers
		}
	}
	var out http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/graphql" && subs != nil && subscriptions.Accepts(r):
			subs.ServeHTTP(w, r)
		case p == "/graphql":
			gql.ServeHTTP(w, r)
		case pg != nil && (p == "/" || len(p) > 12 && p[:12] == "/playground/"):
			pg.ServeHTTP(w, r)
		default:
			h.ServeHTTP(w, r)
		}
	})
	if f.clientAddr != nil {
		out = f.clientAddr.Middleware(out)
	}
	if f.accessLog != nil {
		out = accesslog.Middleware(f.accessLog, out)
	}
	return out
}

// forwardHeaders is the propagation list handed to the engine: the
// configured headers plus X-Forwarded-For when the client address is
// forwarded (its value is set by the router, never taken from the client
// as is, so it goes even when headers.propagate is empty).
// clientAddressSubgraphs restricts the client address to the configured
// subgraphs, or returns nil when it goes to all of them.
func clientAddressSubgraphs(cfg Config) map[string][]string {
	if !cfg.ForwardClientAddress() || cfg.ClientAddressSubgraphs() == nil {
		return nil
	}
	return map[string][]string{server.ForwardedForHeader: cfg.ClientAddressSubgraphs()}
}

func forwardHeaders(cfg Config) []string {
	names := cfg.ForwardHeaders()
	if !cfg.ForwardClientAddress() {
		return names
	}
	out := make([]string, 0, len(names)+1)
	out = append(out, names...)
	return append(out, server.ForwardedForHeader)
}

// subscriptions returns the WebSocket/SSE handler, or nil when disabled.
// Streams bypass the request middlewares (they hijack the connection or
// stream for minutes) but pass through the same request hook.
func (f *features) subscriptions() *subscriptions.Handler {
	if !f.cfg.SubscriptionsEnabled() || f.currentEngine == nil {
		return nil
	}
	current := f.currentEngine
	var hook subscriptions.Hook
	if f.requestHook != nil {
		hook = subscriptions.Hook(f.requestHook)
	}
	run := func(ctx context.Context, req *engine.Request, header http.Header, w engine.SubscriptionWriter) error {
		if f.metrics == nil && f.tracer == nil {
			return current().Subscribe(ctx, req, header, w)
		}
		// Streams bypass the request middlewares; each subscription is
		// measured and traced on its own, as requests are.
		typ, name := operationOf(req.Query, req.OperationName)
		httpMethod, _ := ctx.Value(methodKey{}).(string)
		var ends []func(bool)
		if f.tracer != nil {
			var end func(bool)
			ctx, end = f.tracer.Operation(ctx, header, httpMethod, name, typ)
			ends = append(ends, end)
		}
		if f.metrics != nil {
			ends = append(ends, f.metrics.Operation(ctx, httpMethod, name, typ))
		}
		err := current().Subscribe(ctx, req, header, w)
		for _, end := range ends {
			end(err != nil)
		}
		return err
	}
	sc := f.cfg.Subscriptions
	var authenticate func(context.Context, http.Header) (context.Context, error)
	if f.authn != nil {
		authenticate = f.authn.Context
	}
	return subscriptions.New(run, subscriptions.Options{
		MaxRequestBytes: f.cfg.Limits.MaxRequestBytes,
		Hook:            hook,
		Authenticate:    authenticate,
		// Per-client caps count the client the trusted proxies vouch
		// for, not the load balancer in front of the router.
		ClientKey: server.ClientKey(f.trusted),
		Caps: subscriptions.Caps{
			MaxConnections:            sc.MaxConnections,
			MaxConnectionsPerClient:   sc.MaxConnectionsPerClient,
			MaxSubscriptions:          sc.MaxSubscriptions,
			MaxSubscriptionsPerClient: sc.MaxSubscriptionsPerClient,
		},
	})
}

// methodKey carries a stream's HTTP method to its subscriptions' metrics.
type methodKey struct{}

func withMethod(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), methodKey{}, r.Method)))
	})
}

// close flushes traces, stops the metrics and closes the access log file.
func (f *features) close() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if f.tracer != nil {
		errs = append(errs, f.tracer.Shutdown(ctx))
	}
	if f.ownMetrics {
		errs = append(errs, f.metrics.Shutdown(ctx))
	}
	if f.logFile != nil {
		errs = append(errs, f.logFile.Close())
	}
	return errors.Join(errs...)
}

// WithAccessLogWriter writes the access log to w instead of stdout or
// access_log.path (tests, embedders).
func WithAccessLogWriter(w io.Writer) Option { return func(o *options) { o.accessLogWriter = w } }

// engine builds the first engine. With hot reload on it is wrapped in a
// swapper that watches the supergraph file (when the graph came from one).
func (f *features) engine(ctx context.Context, sdl string, fromFile bool, build reload.Builder, logger *slog.Logger) (*engine.Engine, server.Executor, error) {
	if !f.cfg.HotReload.Enabled {
		eng, err := build(ctx, sdl)
		if err != nil {
			return nil, nil, err
		}
		return eng, eng, nil
	}
	sw, err := reload.New(ctx, sdl, build, f.cfg.Timeouts.Shutdown, logger)
	if err != nil {
		return nil, nil, err
	}
	f.swapper = sw
	if fromFile {
		go sw.Watch(ctx, f.cfg.Supergraph, f.cfg.HotReload.Interval)
	}
	return sw.Current(), sw, nil
}

// current returns a function yielding the engine new requests run on.
func (f *features) current(initial *engine.Engine) func() *engine.Engine {
	if sw := f.swapper; sw != nil {
		return sw.Current
	}
	return func() *engine.Engine { return initial }
}

// SubgraphConfig is one subgraph's overrides (router.yaml subgraphs.<name>).
type SubgraphConfig = config.Subgraph

package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Production features. Each is off by default except the
// playground, introspection, CSRF prevention, the operation limits
// (config.go) and forwarding the client address, which protect a router
// facing the internet without costing well-behaved clients anything.

// CSRF configures Apollo Router's CSRF prevention.
type CSRF struct {
	// Enabled refuses requests that a browser could send cross-site
	// without a preflight (default true, as in Apollo Router); nil means
	// the default.
	Enabled *bool `yaml:"enabled"`
	// RequiredHeaders force a preflight; any one, non-empty, lets a
	// request through (default x-apollo-operation-name, apollo-require-preflight).
	RequiredHeaders []string `yaml:"required_headers"`
}

// CORS configures cross-origin access for browsers.
type CORS struct {
	// AllowOrigins lists origins allowed to call the router ("*" for any);
	// empty sends no CORS headers.
	AllowOrigins     []string      `yaml:"allow_origins"`
	AllowCredentials bool          `yaml:"allow_credentials"`
	AllowHeaders     []string      `yaml:"allow_headers"`
	AllowMethods     []string      `yaml:"allow_methods"`
	ExposeHeaders    []string      `yaml:"expose_headers"`
	MaxAge           time.Duration `yaml:"max_age"`
}

// PersistedQueries configures APQ and persisted operations.
type PersistedQueries struct {
	// APQ accepts automatic persisted queries (default false).
	APQ bool `yaml:"apq"`
	// APQCacheSize bounds registered APQ queries (default 1000).
	APQCacheSize int `yaml:"apq_cache_size"`
	// Manifest is an Apollo persisted-query manifest (JSON) path.
	Manifest string `yaml:"manifest"`
	// Safelist refuses every operation not in the manifest.
	Safelist bool `yaml:"safelist"`
}

// Metrics configures the Prometheus endpoint, served on a listener of its
// own so that it is never reachable on the public port.
type Metrics struct {
	// Enabled records metrics (default true); Run serves them on Listen.
	Enabled bool `yaml:"enabled"`
	// Listen is the metrics listener's address (default 127.0.0.1:9090).
	Listen string `yaml:"listen"`
	Path   string `yaml:"path"`
}

// DefaultMetricsListen keeps the metrics on loopback unless configured:
// the subgraphs use 9091-9093, so every service runs on one machine.
const DefaultMetricsListen = "127.0.0.1:9090"

// Tracing configures OpenTelemetry.
type Tracing struct {
	Enabled bool `yaml:"enabled"`
	// Exporter is none, stdout or otlp.
	Exporter    string  `yaml:"exporter"`
	Endpoint    string  `yaml:"endpoint"`
	Insecure    bool    `yaml:"insecure"`
	ServiceName string  `yaml:"service_name"`
	SampleRatio float64 `yaml:"sample_ratio"`
}

// AccessLog configures the structured access log.
type AccessLog struct {
	Enabled bool `yaml:"enabled"`
	// Path is a file to append JSON lines to; "" writes to stdout.
	Path string `yaml:"path"`
}

// QueryPlan configures query-plan inspection.
type QueryPlan struct {
	// Enabled lets clients ask for the plan with Header (default false:
	// plans reveal the subgraph topology).
	Enabled bool   `yaml:"enabled"`
	Header  string `yaml:"header"`
}

// Playground configures the page served at "/".
type Playground struct {
	Enabled *bool `yaml:"enabled"`
}

// HotReload configures watching the supergraph file.
type HotReload struct {
	Enabled  bool          `yaml:"enabled"`
	Interval time.Duration `yaml:"interval"`
}

// Subscriptions configures subscriptions over WebSocket and SSE.
type Subscriptions struct {
	// Enabled serves subscriptions on /graphql (default true).
	Enabled *bool `yaml:"enabled"`
	// MaxConnections bounds the WebSocket connections and SSE streams
	// open at once (0: unlimited); more are refused with 503.
	MaxConnections int `yaml:"max_connections"`
	// MaxConnectionsPerClient bounds them per client address (0:
	// unlimited); more are refused with 429.
	MaxConnectionsPerClient int `yaml:"max_connections_per_client"`
	// MaxSubscriptions bounds the subscriptions running at once: one per
	// SSE stream, any number per WebSocket (0: unlimited).
	MaxSubscriptions int `yaml:"max_subscriptions"`
	// MaxSubscriptionsPerClient bounds them per client address (0: unlimited).
	MaxSubscriptionsPerClient int `yaml:"max_subscriptions_per_client"`
}

// Default subscription caps. Every stream holds a goroutine, buffers and a
// subscription at a subgraph for as long as its client likes, so one
// address must not hold thousands (a probe opened 19,800 SSE streams from
// one address on a subgraph). Per client they leave room for many tabs or
// users behind one NAT; the process-wide caps keep a full router answering
// 503 so that a load balancer can send clients to another replica.
const (
	DefaultMaxStreamConnections      = 10000
	DefaultMaxConnectionsPerClient   = 100
	DefaultMaxSubscriptions          = 10000
	DefaultMaxSubscriptionsPerClient = 500
)

// SubscriptionsEnabled reports whether /graphql accepts WebSocket and SSE
// subscriptions.
func (c Config) SubscriptionsEnabled() bool {
	return c.Subscriptions.Enabled == nil || *c.Subscriptions.Enabled
}

func (c *Config) setFeatureDefaults() {
	c.PersistedQueries.APQCacheSize = 1000
	c.Metrics.Enabled = true
	c.Metrics.Listen = DefaultMetricsListen
	c.Metrics.Path = "/metrics"
	c.Tracing.Exporter = "none"
	c.Tracing.ServiceName = "router"
	c.Tracing.SampleRatio = 1
	c.QueryPlan.Header = "X-Query-Plan"
	c.HotReload.Interval = time.Second
	c.Subscriptions.MaxConnections = DefaultMaxStreamConnections
	c.Subscriptions.MaxConnectionsPerClient = DefaultMaxConnectionsPerClient
	c.Subscriptions.MaxSubscriptions = DefaultMaxSubscriptions
	c.Subscriptions.MaxSubscriptionsPerClient = DefaultMaxSubscriptionsPerClient
}

// CSRFEnabled reports whether CSRF prevention guards /graphql.
func (c Config) CSRFEnabled() bool { return c.CSRF.Enabled == nil || *c.CSRF.Enabled }

// IntrospectionEnabled reports whether schema introspection is allowed.
func (c Config) IntrospectionEnabled() bool { return c.Introspection == nil || *c.Introspection }

// PlaygroundEnabled reports whether "/" serves the playground.
func (c Config) PlaygroundEnabled() bool { return c.Playground.Enabled == nil || *c.Playground.Enabled }

// applyFeatureEnv handles the ROUTER_* variables of the production
// features; it reports whether k was one of them.
func (c *Config) applyFeatureEnv(k, v string) (bool, error) {
	var err error
	b := func(dst *bool) { *dst, err = strconv.ParseBool(v) }
	n := func(dst *int) { *dst, err = strconv.Atoi(v) }
	switch k {
	case "ROUTER_REQUEST_TIMEOUT":
		c.Timeouts.Request, err = time.ParseDuration(v)
	case "ROUTER_MAX_DEPTH":
		n(&c.Limits.MaxDepth)
	case "ROUTER_MAX_ALIASES":
		n(&c.Limits.MaxAliases)
	case "ROUTER_MAX_ROOT_FIELDS":
		n(&c.Limits.MaxRootFields)
	case "ROUTER_MAX_TOKENS":
		n(&c.Limits.MaxTokens)
	case "ROUTER_MAX_FIELDS":
		n(&c.Limits.MaxFields)
	case "ROUTER_INTROSPECTION":
		var on bool
		b(&on)
		c.Introspection = &on
	case "ROUTER_CSRF":
		var on bool
		b(&on)
		c.CSRF.Enabled = &on
	case "ROUTER_CORS_ALLOW_ORIGINS":
		c.CORS.AllowOrigins = splitList(v)
	case "ROUTER_APQ":
		b(&c.PersistedQueries.APQ)
	case "ROUTER_PERSISTED_QUERIES_MANIFEST":
		c.PersistedQueries.Manifest = v
	case "ROUTER_PERSISTED_QUERIES_SAFELIST":
		b(&c.PersistedQueries.Safelist)
	case "ROUTER_METRICS":
		b(&c.Metrics.Enabled)
	case "ROUTER_METRICS_LISTEN":
		c.Metrics.Listen = v
	case "ROUTER_DRAIN_DELAY":
		c.Timeouts.DrainDelay, err = time.ParseDuration(v)
	case "ROUTER_TRACING":
		b(&c.Tracing.Enabled)
	case "ROUTER_TRACING_EXPORTER":
		c.Tracing.Exporter = v
	case "ROUTER_TRACING_ENDPOINT":
		c.Tracing.Endpoint = v
	case "ROUTER_ACCESS_LOG":
		b(&c.AccessLog.Enabled)
	case "ROUTER_QUERY_PLAN":
		b(&c.QueryPlan.Enabled)
	case "ROUTER_PLAYGROUND":
		var on bool
		b(&on)
		c.Playground.Enabled = &on
	case "ROUTER_SUBSCRIPTIONS":
		var on bool
		b(&on)
		c.Subscriptions.Enabled = &on
	case "ROUTER_FORWARD_CLIENT_ADDRESS":
		var on bool
		b(&on)
		c.ClientAddress.Forward = &on
	case "ROUTER_TRUSTED_PROXIES":
		c.ClientAddress.TrustedProxies = splitList(v)
	case "ROUTER_FORWARD_CLIENT_ADDRESS_TO":
		c.ClientAddress.ForwardTo = splitList(v)
	case "ROUTER_HOT_RELOAD":
		b(&c.HotReload.Enabled)
	default:
		return false, nil
	}
	return true, err
}

// validateFeatures reports the production features' problems.
func (c Config) validateFeatures() []error {
	var errs []error
	nonNeg := []struct {
		name string
		v    int64
	}{
		{"timeouts.request", int64(c.Timeouts.Request)},
		{"timeouts.drain_delay", int64(c.Timeouts.DrainDelay)},
		{"limits.max_depth", int64(c.Limits.MaxDepth)},
		{"limits.max_aliases", int64(c.Limits.MaxAliases)},
		{"limits.max_root_fields", int64(c.Limits.MaxRootFields)},
		{"limits.max_tokens", int64(c.Limits.MaxTokens)},
		{"limits.max_fields", int64(c.Limits.MaxFields)},
		{"persisted_queries.apq_cache_size", int64(c.PersistedQueries.APQCacheSize)},
		{"cors.max_age", int64(c.CORS.MaxAge)},
		{"subscriptions.max_connections", int64(c.Subscriptions.MaxConnections)},
		{"subscriptions.max_connections_per_client", int64(c.Subscriptions.MaxConnectionsPerClient)},
		{"subscriptions.max_subscriptions", int64(c.Subscriptions.MaxSubscriptions)},
		{"subscriptions.max_subscriptions_per_client", int64(c.Subscriptions.MaxSubscriptionsPerClient)},
	}
	for _, p := range nonNeg {
		if p.v < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative", p.name))
		}
	}
	for name, s := range c.Subgraphs {
		if s.Timeout < 0 {
			errs = append(errs, fmt.Errorf("subgraphs.%s.timeout: must not be negative", name))
		}
	}
	errs = append(errs, c.validateClientAddress()...)
	if c.PersistedQueries.Safelist && c.PersistedQueries.Manifest == "" {
		errs = append(errs, errors.New("persisted_queries.safelist: needs persisted_queries.manifest"))
	}
	if c.Metrics.Enabled && !strings.HasPrefix(c.Metrics.Path, "/") {
		errs = append(errs, fmt.Errorf("metrics.path: must start with /, got %q", c.Metrics.Path))
	}
	if c.Metrics.Enabled {
		if _, port, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			errs = append(errs, fmt.Errorf("metrics.listen: %w", err))
		} else if c.Metrics.Listen == c.Listen && port != "0" {
			errs = append(errs, errors.New("metrics.listen: must differ from listen (metrics stay off the public port)"))
		}
	}
	if c.Tracing.Enabled {
		switch c.Tracing.Exporter {
		case "none", "stdout", "otlp":
		default:
			errs = append(errs, fmt.Errorf("tracing.exporter: want none, stdout or otlp, got %q", c.Tracing.Exporter))
		}
		if c.Tracing.SampleRatio < 0 || c.Tracing.SampleRatio > 1 {
			errs = append(errs, fmt.Errorf("tracing.sample_ratio: must be within 0..1, got %v", c.Tracing.SampleRatio))
		}
	}
	if c.QueryPlan.Enabled && strings.TrimSpace(c.QueryPlan.Header) == "" {
		errs = append(errs, errors.New("query_plan.header: must not be empty"))
	}
	if c.HotReload.Enabled && c.HotReload.Interval <= 0 {
		errs = append(errs, errors.New("hot_reload.interval: must be positive"))
	}
	for _, o := range c.CORS.AllowOrigins {
		if o == "*" && c.CORS.AllowCredentials {
			errs = append(errs, errors.New("cors: allow_origins \"*\" cannot be combined with allow_credentials"))
		}
	}
	return errs
}

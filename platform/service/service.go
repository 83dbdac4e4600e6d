// Package service holds the configuration every shop service shares and
// the variables that set it, so the three subgraphs read their environment
// the same way and report every problem at once.
package service

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/telemetry"
)

// Common is the configuration shared by every service.
//
//	LISTEN_ADDR         address to serve on (default per service, e.g. :4001)
//	SHOP_ENV            "development" (default) or "production"
//	API_SECRET          HS256 signing secret (required; >= 32 chars in production)
//	ADMIN_API_KEY       admin key for x-api-key (default: API_SECRET, as the seeds describe)
//	INTERNAL_API_SECRET credential of internal service-to-service REST calls (production:
//	                    required, 32+ characters, unlike API_SECRET and ADMIN_API_KEY;
//	                    development: derived from API_SECRET when unset)
//	MONGO_URI           MongoDB URI (default mongodb://localhost:27017)
//	MONGO_DB            database name (default shop_<service>)
//	KAFKA_BROKERS       comma-separated brokers (default localhost:9092)
//	KAFKA_TOPIC_PREFIX  prefix for every topic name (default empty)
//	LOG_LEVEL, LOG_FORMAT  debug|info|warn|error, text|json
//	HTTP_*              HTTP limits (body size, timeouts, connections): see httpguard.Load
//	GRAPHQL_*           GraphQL limits (depth, fields, complexity, subscriptions, introspection): see gqlguard.Load
//	SHUTDOWN_DRAIN_DELAY, SHUTDOWN_TIMEOUT  readiness-first shutdown: see httpx.LoadShutdown
//	METRICS_ADDR, OTEL_*  metrics listener and tracing: see telemetry.Load
type Common struct {
	Service     string
	ListenAddr  string
	Env         string
	APISecret   string
	AdminAPIKey string
	// ServiceToken is INTERNAL_API_SECRET, sent and checked in the
	// X-Service-Token header of internal calls.
	ServiceToken string
	MongoURI     string
	MongoDB      string
	KafkaBrokers []string
	TopicPrefix  string
	LogLevel     string
	LogFormat    string
	// HTTP bounds what one client can make the HTTP server hold.
	HTTP httpguard.Limits
	// GraphQL bounds what one operation can cost the GraphQL server.
	GraphQL gqlguard.Limits
	// Shutdown is how the server stops: not ready, drain, close.
	Shutdown httpx.Shutdown
	// Telemetry configures tracing and the metrics listener.
	Telemetry telemetry.Config
}

// defaultMetricsAddr gives each service a metrics port of its own, so all
// of them run with their defaults on one machine (the router has 9090).
func defaultMetricsAddr(service string) string {
	switch service {
	case "users":
		return "127.0.0.1:9091"
	case "products":
		return "127.0.0.1:9092"
	case "orders":
		return "127.0.0.1:9093"
	}
	return "off"
}

// LoadCommon reads the shared variables for service (e.g. "users") with the
// given default listen address. Problems are recorded on env.
func LoadCommon(env *config.Env, service, defaultListen string) Common {
	c := Common{
		Service:      service,
		ListenAddr:   env.String("LISTEN_ADDR", defaultListen),
		Env:          strings.ToLower(env.String("SHOP_ENV", "development")),
		APISecret:    env.Required("API_SECRET"),
		MongoURI:     env.String("MONGO_URI", "mongodb://localhost:27017"),
		MongoDB:      env.String("MONGO_DB", "shop_"+service),
		KafkaBrokers: env.List("KAFKA_BROKERS", []string{"localhost:9092"}),
		TopicPrefix:  env.String("KAFKA_TOPIC_PREFIX", ""),
		LogLevel:     env.String("LOG_LEVEL", "info"),
		LogFormat:    env.String("LOG_FORMAT", "text"),
	}
	c.HTTP = httpguard.Load(env)
	c.GraphQL = gqlguard.Load(env, c.Production())
	c.Shutdown = httpx.LoadShutdown(env, c.Production())
	c.Telemetry = telemetry.Load(env, service, defaultMetricsAddr(service))
	c.AdminAPIKey = env.String("ADMIN_API_KEY", c.APISecret)
	c.ServiceToken = loadInternalSecret(env, c)
	switch c.Env {
	case "development", "production":
	default:
		env.Problem("SHOP_ENV must be development or production, got %q", c.Env)
	}
	if c.Production() && c.APISecret != "" {
		if err := auth.ValidateSecret(c.APISecret); err != nil {
			env.Problem("%v", err)
		}
		if len(c.AdminAPIKey) < 16 {
			env.Problem("ADMIN_API_KEY must be at least 16 characters in production")
		}
	}
	if c.ListenAddr == "" {
		env.Problem("LISTEN_ADDR must not be empty")
	}
	return c
}

// loadInternalSecret reads INTERNAL_API_SECRET, the credential services
// present to each other's internal REST endpoints (stock reservations,
// user look-ups). In production it must be a secret of its own: were it
// derived from API_SECRET, or equal to it or to the admin key, one leaked
// user-facing secret would also open the internal endpoints. Development
// derives it from API_SECRET when unset, so `make run` needs nothing.
func loadInternalSecret(env *config.Env, c Common) string {
	if _, ok := env.Lookup("SERVICE_TOKEN"); ok {
		env.Problem("SERVICE_TOKEN is no longer read: set INTERNAL_API_SECRET instead")
	}
	s := env.String("INTERNAL_API_SECRET", "")
	if !c.Production() {
		if s == "" {
			s = auth.DeriveServiceToken(c.APISecret)
		}
		return s
	}
	switch {
	case s == "":
		env.Problem("INTERNAL_API_SECRET is required in production: a secret of its own for internal service calls, at least %d characters", auth.MinSecretLength)
	case len(s) < auth.MinSecretLength:
		env.Problem("INTERNAL_API_SECRET must be at least %d characters in production (got %d)", auth.MinSecretLength, len(s))
	case s == c.APISecret:
		env.Problem("INTERNAL_API_SECRET must differ from API_SECRET")
	case s == c.AdminAPIKey:
		env.Problem("INTERNAL_API_SECRET must differ from ADMIN_API_KEY")
	}
	return s
}

// Production reports whether the service runs with production rules.
func (c Common) Production() bool { return c.Env == "production" }

// Topic returns the full name of a topic, with the configured prefix.
func (c Common) Topic(name string) string { return c.TopicPrefix + name }

// String describes the configuration with secrets masked, for logs.
func (c Common) String() string {
	return fmt.Sprintf("service=%s listen=%s env=%s mongo=%s/%s kafka=%v topicPrefix=%q apiSecret=%s adminKey=%s internalSecret=%s introspection=%t drainDelay=%s %s",
		c.Service, c.ListenAddr, c.Env, maskURI(c.MongoURI), c.MongoDB, c.KafkaBrokers, c.TopicPrefix,
		config.Mask(c.APISecret), config.Mask(c.AdminAPIKey), config.Mask(c.ServiceToken), c.GraphQL.Introspection,
		c.Shutdown.DrainDelay, c.Telemetry)
}

// maskURI hides a password in a connection URI.
func maskURI(uri string) string {
	at := strings.LastIndex(uri, "@")
	scheme := strings.Index(uri, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return uri
	}
	return uri[:scheme+3] + "****" + uri[at:]
}

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
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/telemetry"
)

// Common is the configuration shared by every service. Every secret may
// also be read from a file named by the variable with a _FILE suffix
// (API_SECRET_FILE=/run/secrets/api_secret), never both.
//
//	LISTEN_ADDR         address to serve on (default per service, e.g. :4001)
//	SHOP_ENV            "development" (default) or "production"
//	API_SECRET          HS256 signing secret (required; production: 32+ characters,
//	                    no placeholder, not predictable)
//	ADMIN_API_KEY       admin key for x-api-key (development default: API_SECRET, as the
//	                    seeds describe; production: required, 16+ characters, unlike
//	                    API_SECRET and INTERNAL_API_SECRET)
//	INTERNAL_API_SECRET credential of internal service-to-service REST calls (production:
//	                    required, 32+ characters, unlike API_SECRET and ADMIN_API_KEY;
//	                    development: derived from API_SECRET when unset)
//	MONGO_URI           MongoDB URI (default mongodb://localhost:27017); a secret, as it
//	                    may carry a password
//	MONGO_DB            database name (default shop_<service>)
//	KAFKA_*             brokers, topic settings, TLS, SASL, consumer retries: see kafkax.Load
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
	// Tokens says how bearer tokens are verified (and, on users, signed).
	Tokens   Tokens
	MongoURI string
	MongoDB  string
	// Kafka holds the brokers and how to reach them and create topics;
	// its replication defaults follow SHOP_ENV.
	Kafka       kafkax.Config
	TopicPrefix string
	LogLevel    string
	LogFormat   string
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

// LoadCommon reads the shared variables for service (e.g. "products") with
// the given default listen address. Problems are recorded on env.
func LoadCommon(env *config.Env, service, defaultListen string) Common {
	return loadCommon(env, service, defaultListen, false)
}

// LoadIssuerCommon is LoadCommon for the service that issues tokens
// (users): its signing key (TOKEN_SIGNING_KEY) turns asymmetric tokens on,
// and it verifies them with its own keys.
func LoadIssuerCommon(env *config.Env, service, defaultListen string) Common {
	return loadCommon(env, service, defaultListen, true)
}

func loadCommon(env *config.Env, service, defaultListen string, issuer bool) Common {
	shopEnv := strings.ToLower(env.String("SHOP_ENV", "development"))
	apiSecret := env.Secret("API_SECRET")
	// With asymmetric tokens in production, API_SECRET signs nothing and
	// nothing falls back to it, so it is not needed there.
	if apiSecret == "" && !env.SecretSet("API_SECRET") && (shopEnv != "production" || !asymmetricSet(env, issuer)) {
		env.Problem("API_SECRET is required (or API_SECRET_FILE naming a file that holds it)")
	}
	c := Common{
		Service:     service,
		ListenAddr:  env.String("LISTEN_ADDR", defaultListen),
		Env:         shopEnv,
		APISecret:   apiSecret,
		Tokens:      loadTokens(env, issuer),
		MongoURI:    env.Secret("MONGO_URI"),
		MongoDB:     env.String("MONGO_DB", "shop_"+service),
		TopicPrefix: env.String("KAFKA_TOPIC_PREFIX", ""),
		LogLevel:    env.String("LOG_LEVEL", "info"),
		LogFormat:   env.String("LOG_FORMAT", "text"),
	}
	if c.MongoURI == "" {
		c.MongoURI = "mongodb://localhost:27017"
	}
	c.HTTP = httpguard.Load(env)
	c.GraphQL = gqlguard.Load(env, c.Production())
	c.Kafka = kafkax.Load(env, c.Production())
	c.Shutdown = httpx.LoadShutdown(env, c.Production())
	c.Telemetry = telemetry.Load(env, service, defaultMetricsAddr(service))
	switch c.Env {
	case "development", "production":
	default:
		env.Problem("SHOP_ENV must be development or production, got %q", c.Env)
	}
	c.AdminAPIKey = loadAdminKey(env, c)
	c.ServiceToken = loadInternalSecret(env, c)
	if c.Production() && c.APISecret != "" {
		if err := CheckSecret("API_SECRET", c.APISecret, auth.MinSecretLength); err != nil {
			env.Problem("%v", err)
		}
	}
	if c.ListenAddr == "" {
		env.Problem("LISTEN_ADDR must not be empty")
	}
	return c
}

// MinAdminKeyLength is the shortest ADMIN_API_KEY production accepts.
const MinAdminKeyLength = 16

// loadAdminKey reads ADMIN_API_KEY. Development falls back to API_SECRET,
// as the seed operations expect. Production requires a key of its own:
// were it the signing secret, whoever holds the admin key could also sign
// a token for any user.
func loadAdminKey(env *config.Env, c Common) string {
	k := env.Secret("ADMIN_API_KEY")
	if !c.Production() {
		if k == "" {
			k = c.APISecret
		}
		return k
	}
	if k == "" && env.SecretSet("ADMIN_API_KEY") {
		return "" // an unreadable ADMIN_API_KEY_FILE, reported already
	}
	if err := CheckSecret("ADMIN_API_KEY", k, MinAdminKeyLength); err != nil {
		env.Problem("%v", err)
	} else if k == c.APISecret {
		env.Problem("ADMIN_API_KEY must differ from API_SECRET in production: whoever holds the admin key could otherwise sign tokens for any user")
	}
	return k
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
	s := env.Secret("INTERNAL_API_SECRET")
	if !c.Production() {
		if s == "" {
			s = auth.DeriveServiceToken(c.APISecret)
		}
		return s
	}
	if s == "" && env.SecretSet("INTERNAL_API_SECRET") {
		return "" // an unreadable INTERNAL_API_SECRET_FILE, reported already
	}
	if err := CheckSecret("INTERNAL_API_SECRET", s, auth.MinSecretLength); err != nil {
		env.Problem("%v", err)
		return s
	}
	switch s {
	case c.APISecret:
		env.Problem("INTERNAL_API_SECRET must differ from API_SECRET")
	case c.AdminAPIKey:
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
	return fmt.Sprintf("service=%s listen=%s env=%s mongo=%s/%s kafka={%s} topicPrefix=%q apiSecret=%s adminKey=%s internalSecret=%s introspection=%t drainDelay=%s %s %s",
		c.Service, c.ListenAddr, c.Env, maskURI(c.MongoURI), c.MongoDB, c.Kafka, c.TopicPrefix,
		config.Mask(c.APISecret), config.Mask(c.AdminAPIKey), config.Mask(c.ServiceToken), c.GraphQL.Introspection,
		c.Shutdown.DrainDelay, c.Telemetry, c.Tokens.describe())
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

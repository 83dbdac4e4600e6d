// Package app assembles the users service: MongoDB store, accounts service,
// outbox relay to Kafka, and the HTTP surface (/graphql, playground,
// /health, /ready, /internal/users/{id}, /.well-known/jwks.json). cmd/users and the embedded stack
// both build it through LoadConfig, New and Run.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/clientip"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/telemetry"
	"github.com/shopsupergraph/shop/playground"
	"github.com/shopsupergraph/shop/subgraphs/users/graph"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/internalapi"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/throttle"
)

// JWKSPath is where users publishes its token verification keys when it
// signs asymmetric tokens; the other services' TOKEN_JWKS_URL points here.
const JWKSPath = "/.well-known/jwks.json"

// App is a running-ready users service.
type App struct {
	cfg     Config
	log     *slog.Logger
	client  *mongo.Client
	db      *mongo.Database
	kafka   *kafkax.Client
	writer  *kafka.Writer
	relay   *outbox.Relay
	redis   *redis.Client
	handler http.Handler
	tel     *telemetry.Telemetry
	drain   *httpx.Drain
}

// New connects to MongoDB, prepares indexes and builds the handlers. Kafka
// is not contacted here: the outbox relay delivers events once the broker
// answers, so a broker outage never blocks the start or registrations.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	tel, err := telemetry.New(ctx, cfg.Telemetry)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	client, db, err := mongox.ConnectWithMonitor(ctx, cfg.MongoURI, cfg.MongoDB, tel.MongoMonitor())
	if err != nil {
		_ = tel.Shutdown(context.Background()) //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("users: %w", err)
	}
	a := &App{cfg: cfg, log: log, client: client, db: db, tel: tel, drain: httpx.NewDrain(cfg.Shutdown)}
	store, err := mongostore.New(ctx, db, cfg.Topic(events.TopicUsers))
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	if a.kafka, err = kafkax.New(cfg.Kafka); err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	a.writer = a.kafka.Writer()
	a.relay = outbox.NewLeasedRelay(db, a.writer, log)
	tokens, published, err := cfg.TokenIssuer(cfg.TokenTTL)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	a.relay.Tracing = kafkax.NewTracing(tel.TracerProvider())
	guard, err := a.newGuard()
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	svc, err := accounts.NewService(store, tokens, accounts.Options{
		BcryptCost: cfg.BcryptCost, Notify: a.relay.Notify, Guard: guard, Directory: cfg.Directory,
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	clients, err := clientip.NewResolver(cfg.ClientIPHeader, cfg.TrustedProxies)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	authn := cfg.Authenticator(log)
	mux := http.NewServeMux()
	mux.Handle("/graphql", clients.Middleware(authn.Middleware(currentScopes(svc, log, graph.NewHandler(svc, log, cfg.GraphQL, tel.GraphQL())))))
	pg, err := playground.Handler(playground.Options{Title: "Shop users", Endpoint: "/graphql"})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET "+playground.AssetPrefix, pg)
	if len(published) > 0 {
		// Asymmetric tokens: the public keys the other services verify
		// them with, current and previous (RFC 7517).
		jwks, err := auth.JWKSHandler(published)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("users: %w", err)
		}
		mux.Handle("GET "+JWKSPath, jwks)
	}
	mux.Handle(internalapi.Pattern, internalapi.Handler(svc, cfg.ServiceToken, log))
	a.handler = tel.Handler(httpx.WithHealth(mux, a.drain.Check(), httpx.Check{Name: "mongo", Run: func(ctx context.Context) error { return mongox.Ping(ctx, db) }}))
	return a, nil
}

// newGuard builds the login and registration limits over the limit
// counters' Redis (see platform/redisx). Without one there is nowhere to
// share counters between replicas, so the service runs without limits and
// says so; Redis is deliberately not a readiness check, because the guard
// lets attempts through while Redis is down rather than refusing every
// login.
func (a *App) newGuard() (accounts.Guard, error) {
	a.redis = redisx.NewLimits(a.cfg.RedisLimits)
	if a.redis == nil {
		a.log.Warn("neither REDIS_LIMITS_ADDR nor REDIS_ADDR is set: login and registration attempts are not rate limited")
		return nil, nil
	}
	if err := a.tel.InstrumentRedis(a.redis); err != nil {
		return nil, err
	}
	g, err := throttle.New(a.redis, a.cfg.RedisKeyPrefix, a.cfg.Limits, a.log)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Handler returns the service's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Run listens on the configured address, and serves the metrics on
// METRICS_ADDR unless that is off, until ctx ends.
func (a *App) Run(ctx context.Context) error {
	ln, err := httpx.Listen(a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	mln, err := a.tel.ListenMetrics()
	if err != nil {
		_ = ln.Close() //nolint:errcheck // failing start-up anyway
		return fmt.Errorf("users: %w", err)
	}
	return a.serve(ctx, ln, mln)
}

// Serve serves on ln behind the HTTP limits of the configuration and
// relays outbox events until ctx ends, then drains and shuts down
// (SHUTDOWN_DRAIN_DELAY). Tests pass a listener on a free port; the
// metrics are not served (MetricsHandler serves them anywhere).
func (a *App) Serve(ctx context.Context, ln net.Listener) error { return a.serve(ctx, ln, nil) }

// MetricsHandler serves the service's metrics in the Prometheus format.
func (a *App) MetricsHandler() http.Handler { return a.tel.MetricsHandler() }

func (a *App) serve(ctx context.Context, ln, metrics net.Listener) error {
	relay := func(ctx context.Context) {
		// The topic first: writers do not create topics, so until it exists
		// (the broker may be down) events wait in the outbox.
		if !a.kafka.SetUpTopics(ctx, a.log, a.cfg.Topic(events.TopicUsers)) {
			return
		}
		if err := a.relay.Run(ctx); err != nil {
			a.log.Error("outbox relay stopped", "err", err)
		}
	}
	if err := httpguard.Serve(ctx, ln, a.handler, a.cfg.HTTP, a.log, a.drain, relay, a.tel.MetricsWorker(metrics, a.log)); err != nil {
		return fmt.Errorf("users: %w", err)
	}
	return nil
}

// Close releases the broker writer and the database connection.
func (a *App) Close() {
	var errs []error
	if a.writer != nil {
		errs = append(errs, a.writer.Close())
	}
	if a.kafka != nil {
		a.kafka.Close()
	}
	if a.redis != nil {
		errs = append(errs, a.redis.Close())
	}
	if a.client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.client.Disconnect(ctx))
		cancel()
	}
	if a.tel != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.tel.Shutdown(ctx))
		cancel()
	}
	if err := errors.Join(errs...); err != nil {
		a.log.Warn("users: close", "err", err)
	}
}

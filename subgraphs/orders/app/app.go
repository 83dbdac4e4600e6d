// Package app wires the orders service: MongoDB store, products client,
// outbox relay to Kafka, the recovery loop and the GraphQL handler. The
// binary in cmd/orders and the embedded stack in devstack/ both build it
// with LoadConfig + New + Run.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/lease"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/telemetry"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
	cartstore "github.com/shopsupergraph/shop/subgraphs/orders/internal/cart/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/productsclient"
)

// App is a running orders service.
type App struct {
	cfg     Config
	log     *slog.Logger
	client  *mongo.Client
	db      *mongo.Database
	kafka   *kafkax.Client
	writer  *kafka.Writer
	relay   *outbox.Relay
	lease   *lease.Lease
	svc     *ordering.Service
	cart    *cart.Service
	handler http.Handler
	tel     *telemetry.Telemetry
	drain   *httpx.Drain
}

// New connects to MongoDB, prepares indexes, brings a database written by
// an older version up to date (once), prepares topics and builds the
// handler. Kafka being down at start-up is not fatal: events wait in the
// outbox until the relay can publish them.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	tel, err := telemetry.New(ctx, cfg.Telemetry)
	if err != nil {
		return nil, fmt.Errorf("new orders app: %w", err)
	}
	client, db, err := mongox.ConnectWithMonitor(ctx, cfg.MongoURI, cfg.MongoDB, tel.MongoMonitor())
	if err != nil {
		_ = tel.Shutdown(context.Background()) //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("new orders app: %w", err)
	}
	fail := func(err error) (*App, error) {
		_ = client.Disconnect(context.Background()) //nolint:errcheck // failing start-up anyway
		_ = tel.Shutdown(context.Background())      //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("new orders app: %w", err)
	}
	store := mongostore.New(db)
	if err := store.EnsureIndexes(ctx); err != nil {
		return fail(err)
	}
	if err := store.Migrate(ctx); err != nil {
		return fail(err)
	}
	topic := cfg.Topic(events.TopicOrders)
	kc, err := kafkax.New(cfg.Kafka)
	if err != nil {
		_ = client.Disconnect(context.Background()) //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("new orders app: %w", err)
	}
	writer := kc.Writer()
	relay := outbox.NewLeasedRelay(db, writer, log)
	relay.Tracing = kafkax.NewTracing(tel.TracerProvider())
	inv := productsclient.New(productsclient.Config{
		// The reservation continues the caller's trace at products.
		HTTP:     &http.Client{Transport: tel.Transport(nil)},
		BaseURL:  cfg.ProductsURL,
		Token:    cfg.ServiceToken,
		Timeout:  cfg.ProductsTimeout,
		Attempts: cfg.ProductsAttempts,
		Backoff:  productsBackoff,
	})
	svc := ordering.NewService(ordering.Options{
		Store: store, Inventory: inv, Topic: topic, Log: log,
		Notify: relay.Notify, Grace: cfg.RecoveryGrace, ReserveTimeout: cfg.ReserveTimeout,
	})
	carts := cartstore.New(db)
	if err := carts.EnsureIndexes(ctx); err != nil {
		return fail(err)
	}
	a := &App{cfg: cfg, log: log, client: client, db: db, kafka: kc, writer: writer, relay: relay, svc: svc, tel: tel, drain: httpx.NewDrain(cfg.Shutdown),
		lease: lease.New(db, lease.Options{Name: "orders-recovery", Owner: lease.Owner()}),
		cart:  cart.NewService(carts, inv, svc, log)}
	a.cart.SetLimits(cart.Limits{UnitsPerProduct: cfg.CartMaxUnitsPerProduct, Units: cfg.CartMaxUnits})
	h, err := a.buildHandler()
	if err != nil {
		return fail(err)
	}
	a.handler = h
	return a, nil
}

// Handler serves /graphql, the playground at /, /health and /ready.
func (a *App) Handler() http.Handler { return a.handler }

// Service exposes the domain service, e.g. for end-to-end tests that run
// a recovery pass on demand.
func (a *App) Service() *ordering.Service { return a.svc }

// Run listens on the configured address, and serves the metrics on
// METRICS_ADDR unless that is off, until ctx ends.
func (a *App) Run(ctx context.Context) error {
	ln, err := httpx.Listen(a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("run orders: %w", err)
	}
	mln, err := a.tel.ListenMetrics()
	if err != nil {
		_ = ln.Close() //nolint:errcheck // failing start-up anyway
		return fmt.Errorf("run orders: %w", err)
	}
	return a.serve(ctx, ln, mln)
}

// Serve serves on ln until ctx ends, with the outbox relay, the recovery
// lease and the recovery loop running beside the HTTP server; then it
// drains (SHUTDOWN_DRAIN_DELAY) and returns once all of them have
// stopped. The metrics are not served (MetricsHandler serves them
// anywhere).
func (a *App) Serve(ctx context.Context, ln net.Listener) error { return a.serve(ctx, ln, nil) }

// MetricsHandler serves the service's metrics in the Prometheus format.
func (a *App) MetricsHandler() http.Handler { return a.tel.MetricsHandler() }

func (a *App) serve(ctx context.Context, ln, metrics net.Listener) error {
	relay := func(ctx context.Context) {
		// The topic first: writers do not create topics, so until it exists
		// (the broker may be down) events wait in the outbox. It is in the
		// metadata before the first event, so consumers (products) that
		// join then see its partitions.
		if !a.kafka.SetUpTopics(ctx, a.log, a.cfg.Topic(events.TopicOrders)) {
			return
		}
		if err := a.relay.Run(ctx); err != nil {
			a.log.Error("outbox relay stopped", "err", err)
		}
	}
	if err := httpguard.Serve(ctx, ln, a.handler, a.cfg.HTTP, a.log, a.drain, relay, a.lease.Keep, a.recoverLoop, a.tel.MetricsWorker(metrics, a.log)); err != nil {
		return fmt.Errorf("serve orders: %w", err)
	}
	return nil
}

// recoverLoop runs a recovery pass at start-up and then periodically, so
// sagas cut short by a crash or an outage are finished. Only the replica
// holding the recovery lease runs passes, and a pass stops taking new
// work once the lease runs out.
func (a *App) recoverLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.RecoveryInterval)
	defer t.Stop()
	for {
		held, err := a.lease.Held(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Warn("recovery lease not checked; will retry", "err", err)
		}
		if held {
			rep, err := a.svc.RecoverWhile(ctx, a.lease.Holding)
			if err != nil && ctx.Err() == nil {
				a.log.Warn("order recovery incomplete; will retry", "err", err, "failed", rep.Failed)
			}
			if rep != (ordering.RecoveryReport{}) {
				a.log.Info("order recovery", "snapshots", rep.Snapshots, "confirmed", rep.Confirmed,
					"rejected", rep.Rejected, "released", rep.Released, "failed", rep.Failed)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close releases the connections. Call it after Run returned.
func (a *App) Close() error {
	var errs []error
	if err := a.writer.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close kafka writer: %w", err))
	}
	a.kafka.Close()
	if err := a.client.Disconnect(context.Background()); err != nil {
		errs = append(errs, fmt.Errorf("disconnect mongo: %w", err))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.tel.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// authenticator builds the request authenticator from the shared
// configuration (HS256 with API_SECRET, or users' public keys).
func (a *App) authenticator() *auth.Authenticator {
	return a.cfg.Authenticator(a.log)
}

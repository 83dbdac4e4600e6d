// Package app assembles the webhooks service: MongoDB store, the webhooks
// domain service, the Kafka consumers that turn the shop's order and
// stock events into deliveries, the leased dispatcher that posts them, and
// the HTTP surface (/graphql, playground, /health, /ready). cmd/webhooks
// and the embedded stack (devstack) both build it through LoadConfig, New
// and Serve.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/lease"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/telemetry"
	"github.com/shopsupergraph/shop/playground"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/graph"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks/mongostore"
)

// App is a ready-to-serve webhooks service.
type App struct {
	cfg        Config
	log        *slog.Logger
	client     *mongo.Client
	kafka      *kafkax.Client
	handler    http.Handler
	tel        *telemetry.Telemetry
	drain      *httpx.Drain
	lease      *lease.Lease
	ingester   *webhooks.Ingester
	dispatcher *webhooks.Dispatcher
}

// New connects to MongoDB, prepares the indexes and builds the handler,
// the consumers and the dispatcher. A nil log discards.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	roots, err := webhooks.Roots(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("new webhooks app: %w", err)
	}
	kc, err := kafkax.New(cfg.Kafka)
	if err != nil {
		return nil, fmt.Errorf("new webhooks app: %w", err)
	}
	tel, err := telemetry.New(ctx, cfg.Telemetry)
	if err != nil {
		return nil, fmt.Errorf("new webhooks app: %w", err)
	}
	client, db, err := mongox.ConnectWithMonitor(ctx, cfg.MongoURI, cfg.MongoDB, tel.MongoMonitor())
	if err != nil {
		_ = tel.Shutdown(context.Background()) //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("new webhooks app: %w", err)
	}
	a := &App{cfg: cfg, log: log, client: client, kafka: kc, tel: tel, drain: httpx.NewDrain(cfg.Shutdown),
		lease: lease.New(db, lease.Options{Name: "webhooks-dispatch", Owner: lease.Owner(), Slot: cfg.LeaseSlot})}
	store, err := mongostore.New(ctx, db)
	if err != nil {
		_ = a.Close() //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("new webhooks app: %w", err)
	}
	guard := webhooks.URLGuard{AllowPrivate: cfg.AllowPrivate}
	svc := webhooks.NewService(store, guard)
	a.ingester = webhooks.NewIngester(store, cfg.RetryFor)
	a.dispatcher = webhooks.NewDispatcher(store, webhooks.Client(guard, roots), a.lease, webhooks.DispatchConfig{
		Poll: cfg.Poll, AttemptTimeout: cfg.AttemptTimeout, BackoffBase: cfg.BackoffBase, BackoffMax: cfg.BackoffMax,
	}, log)
	mux := http.NewServeMux()
	mux.Handle("/graphql", cfg.Authenticator(log).Middleware(graph.NewHandler(svc, log, cfg.GraphQL, tel.GraphQL())))
	pg, err := playground.Handler(playground.Options{Title: "Webhooks", Endpoint: "/graphql"})
	if err != nil {
		_ = a.Close() //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("new webhooks app: %w", err)
	}
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET "+playground.AssetPrefix, pg)
	a.handler = tel.Handler(httpx.WithHealth(mux, a.drain.Check(), httpx.Check{Name: "mongo", Run: func(ctx context.Context) error { return mongox.Ping(ctx, db) }}))
	return a, nil
}

// Handler serves /graphql, the playground at /, /health and /ready.
func (a *App) Handler() http.Handler { return a.handler }

// Run listens on the configured address, and serves the metrics on
// METRICS_ADDR unless that is off, until ctx ends.
func (a *App) Run(ctx context.Context) error {
	ln, err := httpx.Listen(a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("run webhooks: %w", err)
	}
	mln, err := a.tel.ListenMetrics()
	if err != nil {
		_ = ln.Close() //nolint:errcheck // failing start-up anyway
		return fmt.Errorf("run webhooks: %w", err)
	}
	return a.serve(ctx, ln, mln)
}

// Serve serves on ln behind the HTTP limits of the configuration, with
// the event consumers, the dispatch lease and the dispatcher running
// beside it, until ctx ends, then drains (SHUTDOWN_DRAIN_DELAY) and
// returns. Tests pass a listener on a free port; the metrics are not
// served.
func (a *App) Serve(ctx context.Context, ln net.Listener) error { return a.serve(ctx, ln, nil) }

func (a *App) serve(ctx context.Context, ln, metrics net.Listener) error {
	if err := httpguard.Serve(ctx, ln, a.handler, a.cfg.HTTP, a.log, a.drain,
		a.consume, a.lease.Keep, a.dispatcher.Run, a.tel.MetricsWorker(metrics, a.log)); err != nil {
		return fmt.Errorf("serve webhooks: %w", err)
	}
	return nil
}

// sources are the topics whose events become webhooks, each read by its
// own consumer group (kafka-go's groups expect one topic per member).
func (a *App) sources() []string {
	return []string{a.cfg.Topic(events.TopicOrders), a.cfg.Topic(events.TopicProducts)}
}

// consume sets the topics up (retrying while the brokers are away), then
// reads each source topic in its consumer group until ctx ends. The
// ingester stores an event's deliveries before it returns, and the
// consumer commits the offset only after that, so a crash never skips an
// event; a redelivered event writes nothing new (delivery ids derive from
// the event id).
func (a *App) consume(ctx context.Context) {
	var topics []string
	for _, t := range a.sources() {
		topics = append(topics, t, kafkax.DeadLetterTopic(t))
	}
	if !a.kafka.SetUpTopics(ctx, a.log, topics...) {
		return
	}
	var wg sync.WaitGroup
	for _, t := range a.sources() {
		c := a.kafka.Consumer(kafkax.ReaderConfig{Topic: t, GroupID: webhooks.GroupID + "." + t}, a.log)
		wg.Go(func() {
			defer func() {
				if err := c.Close(); err != nil {
					a.log.Warn("close webhook consumer", "topic", t, "err", err)
				}
			}()
			_ = c.Run(ctx, a.ingester.Handle) //nolint:errcheck // nil when ctx ends
		})
	}
	wg.Wait()
}

// Close releases the database connection, the Kafka client and the
// telemetry. Call it after Serve or Run returned.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	a.kafka.Close()
	if err := a.client.Disconnect(ctx); err != nil {
		errs = append(errs, fmt.Errorf("disconnect mongo: %w", err))
	}
	if err := a.tel.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

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

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/dedupe"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/groupcommit"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/lease"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/telemetry"
	"github.com/shopsupergraph/shop/playground"
	"github.com/shopsupergraph/shop/subgraphs/products/graph"
	"github.com/shopsupergraph/shop/subgraphs/products/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	catalogstore "github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/rediscache"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	inventorystore "github.com/shopsupergraph/shop/subgraphs/products/internal/inventory/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/live"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/orderevents"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/reservehttp"
)

// App is a running products service.
type App struct {
	cfg     Config
	log     *slog.Logger
	mongo   *mongo.Client
	rdb     *redis.Client
	kafka   *kafkax.Client
	writer  *kafka.Writer
	relay   *outbox.Relay
	hub     *live.Hub
	proc    *live.Processor
	handler http.Handler
	db      *mongo.Database
	tel     *telemetry.Telemetry
	drain   *httpx.Drain
	// tracing traces the events this replica consumes and publishes.
	tracing *kafkax.Tracing

	// Catalog and Inventory are the domain services (tests drive them
	// directly).
	Catalog *catalog.Service
	// Categories manages the category tree.
	Categories *catalog.CategoryService
	// units maps variants to their stock ids for the reservation API.
	units     catalog.StockUnits
	Inventory *inventory.Service

	mu   sync.Mutex
	feed *live.Feed
	// orders consumes order events once the topics exist (runKafka).
	orders *kafkax.Consumer
	// started is when New began: a feed opened later replays from then.
	started time.Time
}

// New connects to MongoDB, Redis and Kafka and builds the service. It
// fails when MongoDB is unreachable; Redis and Kafka outages only degrade.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tel, err := telemetry.New(ctx, cfg.Telemetry)
	if err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}
	client, db, err := mongox.ConnectWithMonitor(ctx, cfg.MongoURI, cfg.MongoDB, tel.MongoMonitor())
	if err != nil {
		_ = tel.Shutdown(context.Background()) //nolint:errcheck // failing start-up anyway
		return nil, fmt.Errorf("products: %w", err)
	}
	a := &App{cfg: cfg, log: log, mongo: client, db: db, hub: live.NewHub(), started: time.Now(),
		tel: tel, drain: httpx.NewDrain(cfg.Shutdown), tracing: kafkax.NewTracing(tel.TracerProvider())}
	productsTopic := cfg.Topic(events.TopicProducts)
	// One write lane and one outbox for the database, shared by both
	// stores, so all their writes to it queue together.
	lane := &groupcommit.Lane{}
	ob := outbox.NewStore(db, lane)
	stockStore := inventorystore.New(db, productsTopic, lane, ob)
	productStore := catalogstore.New(db, productsTopic, ob, stockStore)
	for _, step := range []func(context.Context) error{stockStore.EnsureIndexes, productStore.EnsureIndexes, stockStore.MigrateStock} {
		if err := step(ctx); err != nil {
			a.Close()
			return nil, fmt.Errorf("products: %w", err)
		}
	}
	if a.kafka, err = kafkax.New(cfg.Kafka); err != nil {
		a.Close()
		return nil, fmt.Errorf("products: %w", err)
	}
	a.writer = a.kafka.Writer()
	a.relay = outbox.NewLeasedRelay(db, a.writer, log)
	a.relay.Tracing = a.tracing

	var products catalog.Storer = notifyingProducts{Storer: productStore, relay: a.relay}
	var stock inventory.Storer = notifyingStock{Storer: stockStore, relay: a.relay}
	var cache *rediscache.Cache
	if a.rdb = redisx.NewCache(cfg.Redis); a.rdb != nil {
		if err := tel.InstrumentRedis(a.rdb); err != nil {
			a.Close()
			return nil, fmt.Errorf("products: %w", err)
		}
		cache = rediscache.New(products, a.rdb, cfg.RedisKeyPrefix, cfg.CacheTTL, log)
		products, stock = cache, cache.WrapStock(stock)
	}
	// The inventory keeps one stock per variant, under the variant's id
	// (the product's own id for its default variant): StockUnits reads
	// the catalog by those ids.
	a.units = catalog.StockUnits{Store: products}
	a.Inventory = inventory.NewService(stock, a.units, log)
	a.Inventory.SetHoldTTL(cfg.HoldTTL)
	a.Inventory.SetHoldLifetime(cfg.HoldLifetime)
	a.Inventory.SetReservationBounds(cfg.ReserveTimeout, cfg.ReconcileAfter)
	a.Catalog = catalog.NewService(products, a.Inventory)
	a.Inventory.SetSnapshotHook(a.Catalog.RefreshAvailable)
	if err := a.Catalog.BackfillAvailable(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("products: %w", err)
	}
	a.Categories = catalog.NewCategoryService(productStore)
	a.proc = &live.Processor{Hub: a.hub, Loader: a.Catalog, Stock: a.Inventory, Owners: a.units}
	if cache != nil {
		a.proc.Cache = cache
	}

	if err := a.kafka.EnsureTopics(ctx, a.topics()...); err != nil {
		log.Warn("cannot create topics now; relays and consumers retry", "err", err)
	}
	// Opened now, so every event written after New is delivered.
	if feed, err := live.OpenFeed(ctx, a.kafka, productsTopic, time.Time{}, log); err != nil {
		log.Warn("product feed not open yet; retrying in the background", "err", err)
	} else {
		a.feed = feed
	}
	h, err := a.buildHandler()
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("products: %w", err)
	}
	a.handler = h
	return a, nil
}

func (a *App) buildHandler() (http.Handler, error) {
	res := &graph.Resolver{Catalog: a.Catalog, Tree: a.Categories, Currency: a.cfg.Currency, Inventory: a.Inventory, Live: a.hub, Log: a.log}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: res, Complexity: graph.Complexity()})
	srv := handler.New(gqlguard.Schema(es))
	guard := gqlguard.New(a.cfg.GraphQL)
	srv.AddTransport(guard.Websocket())
	srv.AddTransport(transport.SSE{})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(a.tel.GraphQL())
	// After the persisted-query extension, so that the guard sees the
	// query it restores.
	guard.Install(srv)
	srv.AroundResponses(readbudget.Middleware(a.cfg.ReadBudget, a.cfg.AdminReadBudget))

	authn := a.cfg.Authenticator(a.log)
	mux := http.NewServeMux()
	mux.Handle("/graphql", authn.Middleware(guard.Handler(srv)))
	mux.Handle("/internal/", reservehttp.New(a.Inventory, a.units, a.cfg.ServiceToken, a.log))
	pg, err := playground.Handler(playground.Options{Title: "Shop products", Endpoint: "/graphql", Subscriptions: true})
	if err != nil {
		return nil, err
	}
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET "+playground.AssetPrefix, pg)
	return a.tel.Handler(httpx.WithHealth(mux, a.drain.Check(), httpx.Check{Name: "mongo", Run: func(ctx context.Context) error { return mongox.Ping(ctx, a.db) }})), nil
}

// Handler returns the HTTP handler: /graphql, the playground at /, the
// internal reservation API under /internal/, /health and /ready.
func (a *App) Handler() http.Handler { return a.handler }

// Run listens on the configured address and serves until ctx ends.
func (a *App) Run(ctx context.Context) error {
	ln, err := httpx.Listen(a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("products: %w", err)
	}
	mln, err := a.tel.ListenMetrics()
	if err != nil {
		_ = ln.Close() //nolint:errcheck // failing start-up anyway
		return fmt.Errorf("products: %w", err)
	}
	return a.serve(ctx, ln, mln)
}

// Serve serves on ln behind the HTTP limits of the configuration and runs
// the background workers (the outbox relay, the product feed, the order
// release consumer) until ctx ends, then drains and shuts down
// (SHUTDOWN_DRAIN_DELAY). The metrics are not served (MetricsHandler
// serves them anywhere).
func (a *App) Serve(ctx context.Context, ln net.Listener) error { return a.serve(ctx, ln, nil) }

// MetricsHandler serves the service's metrics in the Prometheus format.
func (a *App) MetricsHandler() http.Handler { return a.tel.MetricsHandler() }

func (a *App) serve(ctx context.Context, ln, metrics net.Listener) error {
	workers := []httpx.Worker{a.runFeed, a.sweepHolds, a.repairSnapshots, a.reconcile, a.runKafka, a.tel.MetricsWorker(metrics, a.log)}
	if err := httpguard.Serve(ctx, ln, a.handler, a.cfg.HTTP, a.log, a.drain, workers...); err != nil {
		return fmt.Errorf("products: %w", err)
	}
	return nil
}

// topics are the topics products writes or reads through a group, and
// the dead-letter topic of the order events it consumes.
func (a *App) topics() []string {
	orders := a.cfg.Topic(events.TopicOrders)
	return []string{a.cfg.Topic(events.TopicProducts), orders, kafkax.DeadLetterTopic(orders)}
}

// runKafka sets the topics up (retrying while the brokers are away: writers
// do not create topics, and a group reader that joins before its topic
// exists may never read), then relays the outbox and consumes order
// events until ctx ends.
func (a *App) runKafka(ctx context.Context) {
	if !a.kafka.SetUpTopics(ctx, a.log, a.topics()...) {
		return
	}
	c := a.kafka.Consumer(kafkax.ReaderConfig{Topic: a.cfg.Topic(events.TopicOrders), GroupID: orderevents.GroupID}, a.log)
	c.Tracing = a.tracing
	if err := c.Instrument(a.tel.MeterProvider()); err != nil {
		a.log.Warn("dead-letter metric unavailable", "err", err)
	}
	a.mu.Lock()
	a.orders = c
	a.mu.Unlock()
	// Releases are idempotent by order anyway; skipping events already
	// handled spares the redelivered ones any work.
	h := dedupe.New(a.db, orderevents.GroupID).Wrap(orderevents.Handler(a.Inventory, a.log))
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Run(ctx, h) })    //nolint:errcheck // nil when ctx ends
	wg.Go(func() { _ = a.relay.Run(ctx) }) //nolint:errcheck // nil when ctx ends
	wg.Wait()
}

// every runs pass each interval until ctx ends, logging a failed pass as
// what (the next pass retries it). skip, if set, skips a tick.
func (a *App) every(ctx context.Context, interval time.Duration, what string, skip func() bool, pass func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if skip != nil && skip() {
			continue
		}
		if err := pass(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn(what+" incomplete; the next pass retries", "err", err)
		}
	}
}

// sweepHolds gives back the units of expired stock holds until ctx ends,
// so expiry needs no request to arrive. Every replica sweeps; the ledger's
// unique indexes let only one release of a hold in.
func (a *App) sweepHolds(ctx context.Context) {
	a.every(ctx, a.cfg.SweepInterval, "hold sweep", nil, func(ctx context.Context) error {
		_, err := a.Inventory.SweepHolds(ctx, sweepBatch)
		return err
	})
}

// repairSnapshots brings lagging stock documents up to date until ctx
// ends (see inventory.Service.RepairSnapshots). Every replica runs it; the
// dirty list it reads is small, and a repair of a caught-up snapshot
// writes nothing.
func (a *App) repairSnapshots(ctx context.Context) {
	a.every(ctx, a.cfg.SnapshotRepairInterval, "snapshot repair", nil, func(ctx context.Context) error {
		_, err := a.Inventory.RepairSnapshots(ctx, a.cfg.SnapshotRepairInterval)
		return err
	})
}

// reconcile settles reservation attempts that never reached a decision
// (see inventory.Service.ReconcileReservations) until ctx ends, on the one
// replica that holds the inventory-reconcile lease.
func (a *App) reconcile(ctx context.Context) {
	l := lease.New(a.db, lease.Options{Name: "inventory-reconcile", Owner: lease.Owner()})
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { l.Keep(ctx) })
	notHolding := func() bool { return !l.Holding() }
	a.every(ctx, a.cfg.ReconcileInterval, "reservation reconcile", notHolding, func(ctx context.Context) error {
		_, err := a.Inventory.ReconcileReservations(ctx)
		return err
	})
}

// sweepBatch bounds the leases one sweep pass reads (older ones first,
// so a backlog drains over a few passes).
const sweepBatch = 200

// feedClockSlack widens the replay of a feed opened late: events carry the
// producing host's clock, which may run a little behind ours. Replaying a
// few events twice is harmless (invalidation and delivery are idempotent).
const feedClockSlack = 2 * time.Second

// runFeed runs the product feed, opening it first if New could not. A
// late feed starts at the events written since New (minus the clock
// slack), so none written while it retried is lost; it retries quickly at
// first, because a topic created a moment ago is usually listed within
// milliseconds.
func (a *App) runFeed(ctx context.Context) {
	pause := 50 * time.Millisecond
	for {
		a.mu.Lock()
		feed := a.feed
		a.mu.Unlock()
		if feed != nil {
			feed.Tracing = a.tracing
			feed.Run(ctx, a.proc.Handle)
			return
		}
		f, err := live.OpenFeed(ctx, a.kafka, a.cfg.Topic(events.TopicProducts), a.started.Add(-feedClockSlack), a.log)
		if err == nil {
			a.mu.Lock()
			a.feed = f
			a.mu.Unlock()
			continue
		}
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("product feed not open yet", "err", err, "retryIn", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// Close releases every connection. Call it after Serve/Run returned.
func (a *App) Close() {
	a.mu.Lock()
	if a.feed != nil {
		a.feed.Close()
	}
	orders := a.orders
	a.mu.Unlock()
	var errs []error
	if orders != nil {
		errs = append(errs, orders.Close())
	}
	if a.writer != nil {
		errs = append(errs, a.writer.Close())
	}
	if a.kafka != nil {
		a.kafka.Close()
	}
	if a.rdb != nil {
		errs = append(errs, a.rdb.Close())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs = append(errs, a.mongo.Disconnect(ctx))
	errs = append(errs, a.tel.Shutdown(ctx))
	if err := errors.Join(errs...); err != nil {
		a.log.Warn("close products", "err", err)
	}
}

// notifyingStock and notifyingProducts wake the outbox relay after every
// write that makes an event ready, so events leave within milliseconds
// instead of at the next poll. A stock movement's event is ready once the
// product's stock document shows it (the inventory writes the snapshot
// right after the ledger entry): woken then, the relay publishes
// StockChanged after the snapshot is written, so a reader who saw the
// event reads the new quantity too. (A poll may still publish it a moment
// earlier; consumers treat the event's balance as the newer truth.)
type notifyingStock struct {
	inventory.Storer
	relay *outbox.Relay
}

// SetStock writes a snapshot and wakes the relay.
func (n notifyingStock) SetStock(ctx context.Context, st inventory.Stock) (bool, error) {
	changed, err := n.Storer.SetStock(ctx, st)
	n.relay.Notify()
	return changed, err
}

// notifyingProducts wakes the relay once a product change is recorded
// (see notifyingStock).
type notifyingProducts struct {
	catalog.Storer
	relay *outbox.Relay
}

// RecordChange stores the change and wakes the relay.
func (n notifyingProducts) RecordChange(ctx context.Context, c catalog.Change) error {
	err := n.Storer.RecordChange(ctx, c)
	if err == nil {
		n.relay.Notify()
	}
	return err
}

// Subscribers reports how many inventoryUpdated subscriptions this replica
// serves (for metrics and tests).
func (a *App) Subscribers() int { return a.hub.Len() }

// DeadLettered reports how many order events this replica has set aside
// in the dead-letter topic (for metrics and tests); each is also logged
// as "event dead-lettered".
func (a *App) DeadLettered() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.orders == nil {
		return 0
	}
	return a.orders.DeadLettered()
}

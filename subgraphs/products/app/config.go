// Package app wires the products subgraph together: configuration, stores,
// cache, Kafka, the GraphQL and internal HTTP handlers and the background
// workers. cmd/products and the embedded dev stack both use it.
package app

import (
	"fmt"
	"regexp"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/subgraphs/products/graph"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// Config is the products service configuration.
//
//	(shared)           see service.Common; LISTEN_ADDR defaults to :4002, MONGO_DB to shop_products
//	REDIS_ADDR         Redis host:port of the cache; empty disables it
//	REDIS_PASSWORD     Redis password (optional; or REDIS_PASSWORD_FILE)
//	REDIS_DB           the cache's database number (default 0)
//	REDIS_KEY_PREFIX   prefix of every cache key (default "shop:")
//	CACHE_TTL          lifetime of a cached product or page (default 5m)
//	HOLD_TTL           how long a cart's stock hold lasts after its last change (default 15m)
//	HOLD_MAX_LIFETIME  how long after its first change a hold may still be extended (default 1h)
//	HOLD_SWEEP_INTERVAL  pause between passes of the expired-hold sweeper (default 2s)
//	SNAPSHOT_REPAIR_INTERVAL  pause between passes of the stock snapshot repair (default 3s)
//	RESERVE_TIMEOUT    bound of one reserve or release call, detached from the client (default 20s)
//	RECONCILE_AFTER    age at which an undecided reservation attempt is settled (default 30s; above RESERVE_TIMEOUT)
//	RECONCILE_INTERVAL pause between passes of the reservation reconciler (default 5s)
//	REQUEST_READ_BUDGET        database reads one GraphQL response may make (default 2000)
//	ADMIN_REQUEST_READ_BUDGET  the same for requests with the admin key (default 50000)
//	SHOP_CURRENCY      ISO 4217 code of every Money amount (default USD; three upper-case letters)
type Config struct {
	service.Common
	Redis          redisx.Config
	RedisKeyPrefix string
	CacheTTL       time.Duration
	HoldTTL        time.Duration
	HoldLifetime   time.Duration
	SweepInterval  time.Duration
	// SnapshotRepairInterval is also how long a product stays on the
	// dirty list before a pass repairs it.
	SnapshotRepairInterval time.Duration
	ReserveTimeout         time.Duration
	ReconcileAfter         time.Duration
	ReconcileInterval      time.Duration
	// ReadBudget and AdminReadBudget bound the database reads of one
	// GraphQL response (see platform/readbudget).
	ReadBudget      int
	AdminReadBudget int
	// Currency is the shop's currency, of every Money the subgraph returns.
	Currency string
}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// minHoldLifetime leaves a hold time to hold anything: sets stop taking
// units in the last second of a hold's lifetime.
const minHoldLifetime = 2 * time.Second

// minReadBudget is the reads of the largest single list field:
// products(take: 100), one query, 100 stock documents and 100 variant
// slot probes.
const minReadBudget = 1 + 2*input.MaxTake

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:         service.LoadCommon(env, "products", ":4002"),
		Redis:          redisx.LoadCache(env),
		RedisKeyPrefix: env.String("REDIS_KEY_PREFIX", "shop:"),
		CacheTTL:       env.Duration("CACHE_TTL", 5*time.Minute),
		HoldTTL:        env.Duration("HOLD_TTL", inventory.DefaultHoldTTL),
		HoldLifetime:   env.Duration("HOLD_MAX_LIFETIME", inventory.DefaultHoldLifetime),
		SweepInterval:  env.Duration("HOLD_SWEEP_INTERVAL", 2*time.Second),

		SnapshotRepairInterval: env.Duration("SNAPSHOT_REPAIR_INTERVAL", 3*time.Second),
		ReserveTimeout:         env.Duration("RESERVE_TIMEOUT", inventory.DefaultRunTimeout),
		ReconcileAfter:         env.Duration("RECONCILE_AFTER", inventory.DefaultReconcileAfter),
		ReconcileInterval:      env.Duration("RECONCILE_INTERVAL", 5*time.Second),
		ReadBudget:             env.Int("REQUEST_READ_BUDGET", graph.DefaultReadBudget),
		AdminReadBudget:        env.Int("ADMIN_REQUEST_READ_BUDGET", graph.DefaultAdminReadBudget),
		Currency:               env.String("SHOP_CURRENCY", "USD"),
	}
	if !currencyRe.MatchString(c.Currency) {
		env.Problem("SHOP_CURRENCY must be three upper-case letters (an ISO 4217 code), got %q", c.Currency)
	}
	if c.HoldTTL <= 0 {
		env.Problem("HOLD_TTL must be positive, got %s", c.HoldTTL)
	}
	if c.HoldLifetime < max(c.HoldTTL, minHoldLifetime) {
		env.Problem("HOLD_MAX_LIFETIME (%s) must be at least HOLD_TTL (%s) and %s", c.HoldLifetime, c.HoldTTL, minHoldLifetime)
	}
	if c.SweepInterval <= 0 {
		env.Problem("HOLD_SWEEP_INTERVAL must be positive, got %s", c.SweepInterval)
	}
	if c.SnapshotRepairInterval <= 0 {
		env.Problem("SNAPSHOT_REPAIR_INTERVAL must be positive, got %s", c.SnapshotRepairInterval)
	}
	if c.ReserveTimeout <= 0 {
		env.Problem("RESERVE_TIMEOUT must be positive, got %s", c.ReserveTimeout)
	}
	if c.ReconcileAfter <= c.ReserveTimeout {
		env.Problem("RECONCILE_AFTER (%s) must be longer than RESERVE_TIMEOUT (%s)", c.ReconcileAfter, c.ReserveTimeout)
	}
	if c.ReconcileInterval <= 0 {
		env.Problem("RECONCILE_INTERVAL must be positive, got %s", c.ReconcileInterval)
	}
	// A page of the largest size must fit, or the seed's lists would fail.
	if c.ReadBudget < minReadBudget {
		env.Problem("REQUEST_READ_BUDGET must be at least %d, got %d", minReadBudget, c.ReadBudget)
	}
	if c.AdminReadBudget < c.ReadBudget {
		env.Problem("ADMIN_REQUEST_READ_BUDGET (%d) must be at least REQUEST_READ_BUDGET (%d)", c.AdminReadBudget, c.ReadBudget)
	}
	if c.CacheTTL <= 0 {
		env.Problem("CACHE_TTL must be positive, got %s", c.CacheTTL)
	}
	if err := env.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// String describes the configuration with secrets masked, for logs.
func (c Config) String() string {
	return fmt.Sprintf("%s redis=%s redisPrefix=%q cacheTTL=%s holdTTL=%s holdLifetime=%s readBudget=%d/%d", c.Common.String(), c.Redis, c.RedisKeyPrefix, c.CacheTTL, c.HoldTTL, c.HoldLifetime, c.ReadBudget, c.AdminReadBudget)
}

// Package app wires the products subgraph together: configuration, stores,
// cache, Kafka, the GraphQL and internal HTTP handlers and the background
// workers. cmd/products and the embedded dev stack both use it.
package app

import (
	"fmt"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// Config is the products service configuration.
//
//	(shared)           see service.Common; LISTEN_ADDR defaults to :4002, MONGO_DB to shop_products
//	REDIS_ADDR         Redis host:port; empty disables the cache
//	REDIS_PASSWORD     Redis password (optional; or REDIS_PASSWORD_FILE)
//	REDIS_KEY_PREFIX   prefix of every cache key (default "shop:")
//	CACHE_TTL          lifetime of a cached product or page (default 5m)
//	KAFKA_PARTITIONS   partitions of the topics this service creates (default 3)
//	HOLD_TTL           how long a cart's stock hold lasts after its last change (default 15m)
//	HOLD_SWEEP_INTERVAL  pause between passes of the expired-hold sweeper (default 2s)
//	SNAPSHOT_REPAIR_INTERVAL  pause between passes of the stock snapshot repair (default 3s)
//	RESERVE_TIMEOUT    bound of one reserve or release call, detached from the client (default 20s)
//	RECONCILE_AFTER    age at which an undecided reservation attempt is settled (default 30s; above RESERVE_TIMEOUT)
//	RECONCILE_INTERVAL pause between passes of the reservation reconciler (default 5s)
type Config struct {
	service.Common
	RedisAddr       string
	RedisPassword   string
	RedisKeyPrefix  string
	CacheTTL        time.Duration
	KafkaPartitions int
	HoldTTL         time.Duration
	SweepInterval   time.Duration
	// SnapshotRepairInterval is also how long a product stays on the
	// dirty list before a pass repairs it.
	SnapshotRepairInterval time.Duration
	ReserveTimeout         time.Duration
	ReconcileAfter         time.Duration
	ReconcileInterval      time.Duration
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:          service.LoadCommon(env, "products", ":4002"),
		RedisAddr:       env.String("REDIS_ADDR", ""),
		RedisPassword:   env.Secret("REDIS_PASSWORD"),
		RedisKeyPrefix:  env.String("REDIS_KEY_PREFIX", "shop:"),
		CacheTTL:        env.Duration("CACHE_TTL", 5*time.Minute),
		KafkaPartitions: env.Int("KAFKA_PARTITIONS", 3),
		HoldTTL:         env.Duration("HOLD_TTL", inventory.DefaultHoldTTL),
		SweepInterval:   env.Duration("HOLD_SWEEP_INTERVAL", 2*time.Second),

		SnapshotRepairInterval: env.Duration("SNAPSHOT_REPAIR_INTERVAL", 3*time.Second),
		ReserveTimeout:         env.Duration("RESERVE_TIMEOUT", inventory.DefaultRunTimeout),
		ReconcileAfter:         env.Duration("RECONCILE_AFTER", inventory.DefaultReconcileAfter),
		ReconcileInterval:      env.Duration("RECONCILE_INTERVAL", 5*time.Second),
	}
	if c.HoldTTL <= 0 {
		env.Problem("HOLD_TTL must be positive, got %s", c.HoldTTL)
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
	if c.CacheTTL <= 0 {
		env.Problem("CACHE_TTL must be positive, got %s", c.CacheTTL)
	}
	if c.KafkaPartitions < 1 {
		env.Problem("KAFKA_PARTITIONS must be at least 1, got %d", c.KafkaPartitions)
	}
	if len(c.KafkaBrokers) == 0 {
		env.Problem("KAFKA_BROKERS must not be empty")
	}
	if err := env.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// String describes the configuration with secrets masked, for logs.
func (c Config) String() string {
	return fmt.Sprintf("%s redis=%q redisPrefix=%q cacheTTL=%s holdTTL=%s", c.Common.String(), c.RedisAddr, c.RedisKeyPrefix, c.CacheTTL, c.HoldTTL)
}

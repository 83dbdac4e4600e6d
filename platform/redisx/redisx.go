// Package redisx builds the services' two kinds of Redis client and reads
// where they point. The cache may be evicted at any time and is rebuilt
// from the database; the limit counters (login attempts, registrations)
// must never be evicted, or memory pressure would lift the limits. So the
// two live in different databases (by default two numbers on one server)
// or on different servers: a deployment gives the counters a server whose
// maxmemory-policy is noeviction (see docs/configuration.md).
package redisx

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/config"
)

// Default database numbers: the cache's and the limit counters'.
const (
	DefaultCacheDB  = 0
	DefaultLimitsDB = 1
)

// Config says where one client connects. An empty Addr means no Redis.
type Config struct {
	Addr     string
	Password string
	DB       int
}

// String describes the configuration without the password.
func (c Config) String() string {
	if c.Addr == "" {
		return "off"
	}
	return fmt.Sprintf("%s/%d", c.Addr, c.DB)
}

// LoadCache reads the cache's Redis: REDIS_ADDR (empty: no cache),
// REDIS_PASSWORD (or REDIS_PASSWORD_FILE) and REDIS_DB (default 0).
func LoadCache(env *config.Env) Config {
	c := Config{
		Addr:     env.String("REDIS_ADDR", ""),
		Password: env.Secret("REDIS_PASSWORD"),
		DB:       env.Int("REDIS_DB", DefaultCacheDB),
	}
	if c.DB < 0 {
		env.Problem("REDIS_DB must not be negative, got %d", c.DB)
	}
	return c
}

// LoadLimits reads the limit counters' Redis: REDIS_LIMITS_ADDR (default
// REDIS_ADDR; empty: no limits), REDIS_LIMITS_PASSWORD or its _FILE
// (default REDIS_PASSWORD) and REDIS_LIMITS_DB (default 1). It records a problem
// when that is the cache's database, where eviction would reach them.
func LoadLimits(env *config.Env) Config {
	cache := LoadCache(env)
	c := Config{
		Addr:     env.String("REDIS_LIMITS_ADDR", cache.Addr),
		Password: env.Secret("REDIS_LIMITS_PASSWORD"),
		DB:       env.Int("REDIS_LIMITS_DB", DefaultLimitsDB),
	}
	if c.Password == "" && !env.SecretSet("REDIS_LIMITS_PASSWORD") {
		c.Password = cache.Password
	}
	if c.DB < 0 {
		env.Problem("REDIS_LIMITS_DB must not be negative, got %d", c.DB)
	}
	if c.Addr != "" && c.Addr == cache.Addr && c.DB == cache.DB {
		env.Problem("REDIS_LIMITS_DB (%d) must differ from REDIS_DB on the same server %s: limit counters must not share the cache's database", c.DB, c.Addr)
	}
	return c
}

// NewCache returns a cache client (nil without an address: callers treat
// a nil client as "no cache") with timeouts short enough that a dead Redis
// degrades reads to the database instead of stalling them.
func NewCache(c Config) *redis.Client {
	if c.Addr == "" {
		return nil
	}
	return redis.NewClient(&redis.Options{
		Addr:            c.Addr,
		Password:        c.Password,
		DB:              c.DB,
		DialTimeout:     500 * time.Millisecond,
		ReadTimeout:     300 * time.Millisecond,
		WriteTimeout:    300 * time.Millisecond,
		PoolTimeout:     500 * time.Millisecond,
		MaxRetries:      1,
		DisableIdentity: true,
	})
}

// NewLimits returns the limit counters' client (nil without an address).
// Unlike the cache's it never retries: a counter script whose reply timed
// out may have run, and running it again would count one attempt twice.
// Its timeouts are longer than the cache's, because a timeout here lets an
// attempt through unchecked rather than merely missing the cache; a dead
// Redis still fails fast (connection refused).
func NewLimits(c Config) *redis.Client {
	if c.Addr == "" {
		return nil
	}
	return redis.NewClient(&redis.Options{
		Addr:            c.Addr,
		Password:        c.Password,
		DB:              c.DB,
		DialTimeout:     time.Second,
		ReadTimeout:     time.Second,
		WriteTimeout:    time.Second,
		PoolTimeout:     time.Second,
		MaxRetries:      -1,
		DisableIdentity: true,
	})
}

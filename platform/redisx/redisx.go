// Package redisx builds the Redis client with timeouts short enough that a
// dead Redis degrades reads to the database instead of stalling them.
package redisx

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// New returns a client for addr ("host:port"). An empty addr returns nil:
// callers treat a nil client as "no cache".
func New(addr, password string) *redis.Client {
	if addr == "" {
		return nil
	}
	return redis.NewClient(&redis.Options{
		Addr:            addr,
		Password:        password,
		DialTimeout:     500 * time.Millisecond,
		ReadTimeout:     300 * time.Millisecond,
		WriteTimeout:    300 * time.Millisecond,
		PoolTimeout:     500 * time.Millisecond,
		MaxRetries:      1,
		DisableIdentity: true,
	})
}

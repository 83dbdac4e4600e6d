package redisx_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/testenv"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		vars          map[string]string
		cache, limits redisx.Config
		problem       string
	}{
		{name: "defaults: one server, two databases", vars: map[string]string{"REDIS_ADDR": "r:6379", "REDIS_PASSWORD": "pw"},
			cache: redisx.Config{Addr: "r:6379", Password: "pw", DB: 0}, limits: redisx.Config{Addr: "r:6379", Password: "pw", DB: 1}},
		{name: "no Redis", cache: redisx.Config{}, limits: redisx.Config{DB: 1}},
		{name: "a server of their own",
			vars:  map[string]string{"REDIS_ADDR": "cache:6379", "REDIS_LIMITS_ADDR": "limits:6379", "REDIS_LIMITS_PASSWORD": "lpw", "REDIS_LIMITS_DB": "0"},
			cache: redisx.Config{Addr: "cache:6379"}, limits: redisx.Config{Addr: "limits:6379", Password: "lpw", DB: 0}},
		{name: "the cache's database", vars: map[string]string{"REDIS_ADDR": "r:6379", "REDIS_DB": "2", "REDIS_LIMITS_DB": "2"},
			problem: "REDIS_LIMITS_DB (2) must differ from REDIS_DB"},
		{name: "negative", vars: map[string]string{"REDIS_ADDR": "r:6379", "REDIS_LIMITS_DB": "-1"}, problem: "REDIS_LIMITS_DB must not be negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env, lenv := config.FromMap(c.vars), config.FromMap(c.vars)
			cache, limits := redisx.LoadCache(env), redisx.LoadLimits(lenv)
			if c.problem != "" {
				if err := lenv.Err(); err == nil || !strings.Contains(err.Error(), c.problem) {
					t.Fatalf("err = %v, want %q", err, c.problem)
				}
				return
			}
			if err := env.Err(); err != nil {
				t.Fatal(err)
			}
			if err := lenv.Err(); err != nil {
				t.Fatal(err)
			}
			if cache != c.cache || limits != c.limits {
				t.Fatalf("cache %+v limits %+v, want %+v %+v", cache, limits, c.cache, c.limits)
			}
		})
	}
}

// TestClientsUseTheirDatabases: each client writes to its configured
// database and nowhere else.
func TestClientsUseTheirDatabases(t *testing.T) {
	t.Parallel()
	addr := testenv.Get(t).RedisAddr
	ctx := context.Background()
	key := testenv.Name("redisx") + ":k"
	cache := redisx.NewCache(redisx.Config{Addr: addr, DB: 3})
	limits := redisx.NewLimits(redisx.Config{Addr: addr, DB: 4})
	for _, c := range []*redis.Client{cache, limits} {
		t.Cleanup(func() { _ = c.Close() })
	}
	if err := cache.Set(ctx, key, "cache", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := limits.Set(ctx, key, "limits", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for db, want := range map[int]string{0: "", 3: "cache", 4: "limits"} {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, DisableIdentity: true})
		got, err := c.Get(ctx, key).Result()
		_ = c.Close()
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("database %d holds %q, want %q", db, got, want)
		}
	}
	if redisx.NewCache(redisx.Config{}) != nil || redisx.NewLimits(redisx.Config{}) != nil {
		t.Error("a client without an address")
	}
}

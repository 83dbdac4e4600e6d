package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestCacheKeysLiveInTheCacheDatabase: the cache writes only to its own
// database (REDIS_DB), and every key it writes there can expire except
// the generation counters. Those must outlive the entries they guard
// (evicting one would make an outdated entry reachable again), so under
// the cache server's volatile-lru policy they are never evicted, while
// every entry is.
func TestCacheKeysLiveInTheCacheDatabase(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	const ttl = 2 * time.Minute
	in := startWith(t, env, sh, map[string]string{"REDIS_DB": "2", "CACHE_TTL": ttl.String()})
	p := in.create(t, "cached where it belongs", 100, 5)
	for range 2 {
		in.quantity(t, p.ID)
		if r := in.gql(t, `{ products { _id quantity } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("list: %+v", r.Errors)
		}
	}
	if code, _ := in.reserve(t, "order-cachedb", inventoryapi.Line{ProductID: p.ID, Quantity: 1}); code != 200 {
		t.Fatalf("reserve: %d", code)
	}
	in.quantity(t, p.ID)

	ctx := context.Background()
	prefix := sh.prefix + ":"
	for _, db := range []int{0, 1, 2} {
		rdb := redis.NewClient(&redis.Options{Addr: env.RedisAddr, DB: db, DisableIdentity: true})
		keys, err := rdb.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if db != 2 {
			if len(keys) > 0 {
				t.Errorf("database %d holds cache keys %v; REDIS_DB is 2", db, keys)
			}
			_ = rdb.Close()
			continue
		}
		entries := 0
		for _, k := range keys {
			left, err := rdb.PTTL(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			counter := strings.HasPrefix(k, prefix+"products:gen:") || k == prefix+"products:epoch"
			switch {
			case counter && left > 0:
				t.Errorf("generation counter %s expires (in %s): evicting or expiring it could serve an outdated entry", k, left)
			case !counter && (left <= 0 || left > ttl):
				t.Errorf("cache entry %s has expiry %s, want one within CACHE_TTL %s", k, left, ttl)
			case !counter:
				entries++
			}
		}
		if entries == 0 {
			t.Errorf("no cache entry in database 2: %v", keys)
		}
		_ = rdb.Close()
	}
}

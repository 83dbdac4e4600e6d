package stackcheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/redisx"
)

// maxmemoryPolicy returns the --maxmemory-policy a redis-server command
// line sets ("noeviction", Redis's default, when none).
func maxmemoryPolicy(cmd []string) string {
	if i := slices.Index(cmd, "--maxmemory-policy"); i >= 0 && i+1 < len(cmd) {
		return cmd[i+1]
	}
	return "noeviction"
}

// TestRedisEvictionCannotLiftLimits: the users service keeps its login and
// registration counters on a Redis that never evicts, a server other than
// the products cache's (eviction is per server, whatever the database
// number), and the cache evicts only keys with a TTL (its generation
// counters have none and must stay).
func TestRedisEvictionCannotLiftLimits(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	host := func(addr string) string { h, _, _ := strings.Cut(addr, ":"); return h }

	limits := redisx.LoadLimits(config.FromMap(composeService(t, f, "users").Environment))
	cache := redisx.LoadCache(config.FromMap(composeService(t, f, "products").Environment))
	if limits.Addr == "" || cache.Addr == "" {
		t.Fatalf("users' limits Redis %q, products' cache Redis %q: both must be set", limits.Addr, cache.Addr)
	}
	if host(limits.Addr) == host(cache.Addr) {
		t.Errorf("limit counters and cache share the server %s: memory pressure from the cache would evict counters", host(limits.Addr))
	}
	if p := maxmemoryPolicy(composeService(t, f, host(limits.Addr)).Command); p != "noeviction" {
		t.Errorf("the limits Redis (%s) runs maxmemory-policy %s: an evicted counter lifts its limit; want noeviction", host(limits.Addr), p)
	}
	if p := maxmemoryPolicy(composeService(t, f, host(cache.Addr)).Command); p != "noeviction" && !strings.HasPrefix(p, "volatile-") {
		t.Errorf("the cache Redis (%s) runs maxmemory-policy %s: it may evict the generation counters; want volatile-*", host(cache.Addr), p)
	}
}

package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/testenv"
)

func newLimiter(t *testing.T) *Limiter {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: testenv.Get(t).RedisAddr, MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { _ = c.Close() })
	l, err := New(c, testenv.Name("rl")+":")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestTakeCountsUntilTheLimit(t *testing.T) {
	t.Parallel()
	l := newLimiter(t)
	ctx := context.Background()
	user := Rule{Key: "u", Limit: 3, Window: time.Hour}
	addr := Rule{Key: "a", Limit: 5, Window: time.Hour}
	for i := range 3 {
		d, err := l.Take(ctx, user, addr)
		if err != nil || !d.Allowed {
			t.Fatalf("attempt %d: %+v %v", i+1, d, err)
		}
	}
	d, err := l.Take(ctx, user, addr)
	if err != nil || d.Allowed || d.Key != "u" || d.RetryAfter <= 0 || d.RetryAfter > time.Hour {
		t.Fatalf("4th attempt: %+v %v", d, err)
	}
	// The refused attempt was not counted against the address: two more
	// attempts for other users fit, the third does not.
	for i := range 2 {
		if d, err := l.Take(ctx, Rule{Key: "other", Limit: 3, Window: time.Hour}, addr); err != nil || !d.Allowed {
			t.Fatalf("other user attempt %d: %+v %v", i, d, err)
		}
	}
	if d, err := l.Take(ctx, Rule{Key: "third", Limit: 3, Window: time.Hour}, addr); err != nil || d.Allowed || d.Key != "a" {
		t.Fatalf("address limit: %+v %v", d, err)
	}
	// Reset and Refund give room back.
	if err := l.Reset(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := l.Refund(ctx, addr, Rule{Key: "never-counted", Limit: 1, Window: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if d, err := l.Take(ctx, user, addr); err != nil || !d.Allowed {
		t.Fatalf("after reset and refund: %+v %v", d, err)
	}
	// Disabled rules never refuse and never touch Redis.
	for range 10 {
		if d, err := l.Take(ctx, Rule{Key: "off", Limit: 0}); err != nil || !d.Allowed {
			t.Fatalf("disabled rule: %+v %v", d, err)
		}
	}
}

func TestWindowExpires(t *testing.T) {
	t.Parallel()
	l := newLimiter(t)
	ctx := context.Background()
	r := Rule{Key: "w", Limit: 1, Window: 200 * time.Millisecond}
	if d, err := l.Take(ctx, r); err != nil || !d.Allowed {
		t.Fatalf("first: %+v %v", d, err)
	}
	if d, err := l.Take(ctx, r); err != nil || d.Allowed {
		t.Fatalf("second: %+v %v", d, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, err := l.Take(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("window never ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestConcurrentTakesNeverExceedTheLimit is why Take is one script: checks
// and increments of parallel attempts cannot interleave.
func TestConcurrentTakesNeverExceedTheLimit(t *testing.T) {
	t.Parallel()
	l := newLimiter(t)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			d, err := l.Take(context.Background(), Rule{Key: "c", Limit: 7, Window: time.Hour})
			if err != nil {
				t.Error(err)
				return
			}
			if d.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 7 {
		t.Fatalf("%d of 50 concurrent attempts allowed, want 7", n)
	}
}

func TestRedisDownIsAnError(t *testing.T) {
	t.Parallel()
	env := testenv.Fresh(t)
	if env.Stack == nil {
		t.Skip("needs the embedded stack to stop Redis")
	}
	c := redisx.NewLimits(redisx.Config{Addr: env.RedisAddr})
	t.Cleanup(func() { _ = c.Close() })
	l, err := New(c, "x:")
	if err != nil {
		t.Fatal(err)
	}
	env.Stack.StopRedis()
	if _, err := l.Take(context.Background(), Rule{Key: "k", Limit: 1, Window: time.Hour}); err == nil {
		t.Fatal("take with Redis down did not fail")
	}
	if _, err := New(nil, ""); err == nil {
		t.Fatal("nil client accepted")
	}
}

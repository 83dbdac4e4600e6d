package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/ratelimit"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

func newGuard(t *testing.T, env *testenv.Env, l Limits) *Guard {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: env.RedisAddr, MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { _ = c.Close() })
	lim, err := ratelimit.New(c, testenv.Name("th")+":")
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(lim, l, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestNewRejectsBadLimits(t *testing.T) {
	t.Parallel()
	lim, err := ratelimit.New(redisx.New("127.0.0.1:1", ""), "x:")
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]Limits{
		"negative":           {MaxFailuresPerUser: -1, Window: time.Minute},
		"no login window":    {MaxFailuresPerUser: 5},
		"no register window": {MaxRegistrationsPerAddr: 5, Window: time.Minute},
	} {
		if _, err := New(lim, l, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(nil, Limits{}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("nil limiter accepted")
	}
}

func TestLoginRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGuard(t, testenv.Get(t), Limits{MaxFailuresPerUser: 3, MaxAttemptsPerAddr: 4, Window: time.Hour})
	for i := range 3 {
		if err := g.BeginLogin(ctx, "mallory", ""); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var rl *accounts.RateLimitedError
	if err := g.BeginLogin(ctx, "mallory", ""); !errors.As(err, &rl) || !errors.Is(err, accounts.ErrRateLimited) || rl.RetryAfter <= 0 || rl.RetryAfter > time.Hour {
		t.Fatalf("4th attempt: %v", err)
	}
	g.LoginSucceeded(ctx, "mallory", "")
	if err := g.BeginLogin(ctx, "mallory", ""); err != nil {
		t.Fatalf("after a success: %v", err)
	}
	// Very long names make short keys and are counted like any other.
	long := fmt.Sprintf("%01000d", 7)
	for range 3 {
		if err := g.BeginLogin(ctx, long, "2001:db8::1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.BeginLogin(ctx, long, "2001:db8::2"); err == nil {
		t.Fatal("long name not limited")
	}
	// The two IPv6 addresses share a /64: 3 counted, one more fits.
	if err := g.BeginLogin(ctx, "someone", "2001:db8::3"); err != nil {
		t.Fatal(err)
	}
	if err := g.BeginLogin(ctx, "someone-else", "2001:db8::4"); err == nil {
		t.Fatal("the /64 was not limited as one address")
	}
	// Registration is unlimited when its maximum is 0.
	for range 10 {
		if err := g.BeginRegister(ctx, "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFailsOpenWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	env := testenv.Fresh(t)
	g := newGuard(t, env, Limits{MaxFailuresPerUser: 1, MaxAttemptsPerAddr: 1, Window: time.Hour, MaxRegistrationsPerAddr: 1, RegisterWindow: time.Hour})
	ctx := context.Background()
	env.Stack.StopRedis()
	for range 5 {
		if err := g.BeginLogin(ctx, "u", "198.51.100.1"); err != nil {
			t.Fatalf("login with Redis down: %v", err)
		}
		if err := g.BeginRegister(ctx, "198.51.100.1"); err != nil {
			t.Fatalf("register with Redis down: %v", err)
		}
		g.LoginSucceeded(ctx, "u", "198.51.100.1")
	}
	if !g.down() {
		t.Fatal("guard does not remember the outage")
	}
	// A cancelled caller is told so, not let through silently.
	g.downUntil.Store(0)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.BeginLogin(cctx, "u", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

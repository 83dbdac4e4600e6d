package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

func newGuard(t *testing.T, env *testenv.Env, l Limits) *Guard {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: env.RedisAddr, MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { _ = c.Close() })
	g, err := New(c, testenv.Name("th")+":", l, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// limits are small thresholds with a per-username wait long enough that
// no test outlives it by accident.
func limits() Limits {
	return Limits{
		MaxFailuresPerUserAddr: 3, MaxAttemptsPerAddr: 6, Window: time.Hour,
		UserBackoffAfter: 8, UserBackoff: time.Hour, UserBackoffMax: 4 * time.Hour, FamiliarFor: time.Hour,
	}
}

func expectLimited(t *testing.T, err error, what string, within time.Duration) {
	t.Helper()
	var rl *accounts.RateLimitedError
	if !errors.As(err, &rl) || !errors.Is(err, accounts.ErrRateLimited) || rl.RetryAfter <= 0 || rl.RetryAfter > within {
		t.Fatalf("%s: %v, want a refusal with a retry within %s", what, err, within)
	}
}

func TestNewRejectsBadLimits(t *testing.T) {
	t.Parallel()
	c := redisx.NewLimits(redisx.Config{Addr: "127.0.0.1:1"})
	for name, l := range map[string]Limits{
		"negative":           {MaxFailuresPerUserAddr: -1, Window: time.Minute},
		"no login window":    {MaxFailuresPerUserAddr: 5},
		"no register window": {MaxRegistrationsPerAddr: 5, Window: time.Minute},
		"no first wait":      {UserBackoffAfter: 5, Window: time.Minute, UserBackoffMax: time.Minute, FamiliarFor: time.Hour},
		"max below first":    {UserBackoffAfter: 5, Window: time.Minute, UserBackoff: time.Minute, UserBackoffMax: time.Second, FamiliarFor: time.Hour},
		"no familiar time":   {UserBackoffAfter: 5, Window: time.Minute, UserBackoff: time.Second, UserBackoffMax: time.Minute},
	} {
		if _, err := New(c, "x:", l, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(nil, "x:", Limits{}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("nil client accepted")
	}
}

// TestAttackerCannotLockOutTheOwner: failures lock the username only
// together with the address they came from.
func TestAttackerCannotLockOutTheOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGuard(t, testenv.Get(t), limits())
	const attacker, owner = "203.0.113.9", "198.51.100.7"
	for i := range 3 {
		if err := g.BeginLogin(ctx, "victim", attacker); err != nil {
			t.Fatalf("attacker attempt %d: %v", i+1, err)
		}
	}
	expectLimited(t, g.BeginLogin(ctx, "victim", attacker), "4th attempt from the attacker's address", time.Hour)
	if err := g.BeginLogin(ctx, "victim", owner); err != nil {
		t.Fatalf("owner from another address: %v", err)
	}
	g.LoginSucceeded(ctx, "victim", owner)
	// The attacker's address may still try other names, up to its own limit
	// (3 failures counted, 6 allowed).
	for i := range 3 {
		if err := g.BeginLogin(ctx, fmt.Sprintf("other%d", i), attacker); err != nil {
			t.Fatalf("other name %d: %v", i, err)
		}
	}
	expectLimited(t, g.BeginLogin(ctx, "other9", attacker), "address limit", time.Hour)

	// A success forgets the pair's failures.
	for range 2 {
		if err := g.BeginLogin(ctx, "grace", owner); err != nil {
			t.Fatal(err)
		}
	}
	g.LoginSucceeded(ctx, "grace", owner)
	for i := range 3 {
		if err := g.BeginLogin(ctx, "grace", owner); err != nil {
			t.Fatalf("after a success, attempt %d: %v", i+1, err)
		}
	}

	// Very long names make short keys and are counted like any other, and
	// the addresses of one IPv6 /64 count as one.
	long := fmt.Sprintf("%01000d", 7)
	for range 3 {
		if err := g.BeginLogin(ctx, long, "2001:db8::1"); err != nil {
			t.Fatal(err)
		}
	}
	expectLimited(t, g.BeginLogin(ctx, long, "2001:db8::2"), "long name from the same /64", time.Hour)
	// Registration is unlimited when its maximum is 0.
	for range 10 {
		if err := g.BeginRegister(ctx, "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUsernameBackoff: failures from many addresses slow the username
// down exponentially once past the ceiling, except from addresses the
// user logged in from.
func TestUsernameBackoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := limits()
	l.UserBackoff = 200 * time.Millisecond
	l.UserBackoffMax = 20 * time.Second
	g := newGuard(t, testenv.Get(t), l)
	const home = "192.0.2.1"
	if err := g.BeginLogin(ctx, "target", home); err != nil {
		t.Fatal(err)
	}
	g.LoginSucceeded(ctx, "target", home)

	addr := 0
	next := func() string { addr++; return fmt.Sprintf("203.0.113.%d", addr) }
	for i := range 8 {
		if err := g.BeginLogin(ctx, "target", next()); err != nil {
			t.Fatalf("failure %d from a fresh address: %v", i+1, err)
		}
	}
	// Past the ceiling: a fresh address waits the first step, home does not.
	expectLimited(t, g.BeginLogin(ctx, "target", next()), "9th failure", l.UserBackoff)
	if err := g.BeginLogin(ctx, "target", home); err != nil {
		t.Fatalf("familiar address during the backoff: %v", err)
	}
	g.LoginSucceeded(ctx, "target", home)
	// Each further failure doubles the wait: 200ms, 400ms, 800ms.
	for step, wait := range []time.Duration{l.UserBackoff, 2 * l.UserBackoff, 4 * l.UserBackoff} {
		var err error
		deadline := time.Now().Add(10 * time.Second)
		for err = g.BeginLogin(ctx, "target", next()); err != nil; err = g.BeginLogin(ctx, "target", next()) {
			var rl *accounts.RateLimitedError
			if !errors.As(err, &rl) || rl.RetryAfter > wait {
				t.Fatalf("step %d: %v, want a wait of at most %s", step, err, wait)
			}
			if time.Now().After(deadline) {
				t.Fatalf("step %d: still refused after 10s", step)
			}
			time.Sleep(rl.RetryAfter)
		}
		expectLimited(t, g.BeginLogin(ctx, "target", next()), fmt.Sprintf("right after step %d", step), 2*wait)
		var rl *accounts.RateLimitedError
		if errors.As(g.BeginLogin(ctx, "target", next()), &rl) && rl.RetryAfter <= wait {
			t.Fatalf("step %d: next wait %s, want more than %s", step, rl.RetryAfter, wait)
		}
	}
	// Refused attempts were not counted against their addresses: each
	// fresh address above made one counted attempt at most.
	if err := g.BeginLogin(ctx, "someone-else", "203.0.113.9"); err != nil {
		t.Fatalf("another name from a refused address: %v", err)
	}
}

// TestConcurrentGuessesStopAtTheCeiling: the per-username count is taken
// before the password check in one script, so parallel guesses from many
// addresses cannot all slip past the ceiling.
func TestConcurrentGuessesStopAtTheCeiling(t *testing.T) {
	t.Parallel()
	g := newGuard(t, testenv.Get(t), limits())
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed int
	)
	for i := range 40 {
		wg.Go(func() {
			err := g.BeginLogin(context.Background(), "racer", fmt.Sprintf("203.0.113.%d", i+1))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				allowed++
			} else if !errors.Is(err, accounts.ErrRateLimited) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if allowed != 8 {
		t.Fatalf("%d of 40 parallel guesses allowed, want the ceiling of 8", allowed)
	}
}

// TestBackoffToleratesClockSkew: concurrent callers stamp attempts with
// their own clocks, so one may arrive "earlier" than the last one counted;
// below the ceiling that must never make it wait.
func TestBackoffToleratesClockSkew(t *testing.T) {
	t.Parallel()
	g := newGuard(t, testenv.Get(t), limits())
	ctx := context.Background()
	key := g.prefix + "skew"
	run := func(now int64) int64 {
		t.Helper()
		left, err := backoffScript.Run(ctx, g.client, []string{key, ""}, now, 2, 1000, 4000, 60000).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return left
	}
	if left := run(10_000); left != 0 {
		t.Fatalf("first attempt waits %d ms", left)
	}
	if left := run(9_990); left != 0 {
		t.Fatalf("second attempt, 10 ms behind the first's clock, waits %d ms", left)
	}
	// At the ceiling the wait runs from the latest attempt seen.
	if left := run(10_500); left != 500 {
		t.Fatalf("third attempt waits %d ms, want 500", left)
	}
}

func TestFailsOpenWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	env := testenv.Fresh(t)
	l := limits()
	l.MaxFailuresPerUserAddr, l.MaxAttemptsPerAddr, l.UserBackoffAfter = 1, 1, 1
	l.MaxRegistrationsPerAddr, l.RegisterWindow = 1, time.Hour
	g := newGuard(t, env, l)
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

// Package throttle is the users service's accounts.Guard: it limits failed
// logins per username and per client address, and registrations per client
// address, with counters in Redis (platform/ratelimit) so every users
// replica, behind every router replica, counts together.
//
// When Redis cannot be reached the guard lets attempts through and logs a
// warning: an outage of the counter store must not lock every customer
// out, and bcrypt's cost still slows guessing meanwhile. The Redis client's
// own short dial, pool and read timeouts (platform/redisx) bound each call,
// and after a failure the guard leaves Redis alone for RetryAfterFailure,
// so an outage adds one short wait now and then instead of one to every
// login.
package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/shopsupergraph/shop/platform/clientip"
	"github.com/shopsupergraph/shop/platform/ratelimit"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// RetryAfterFailure is how long the guard lets attempts through unchecked
// after Redis failed, before it tries Redis again.
const RetryAfterFailure = 5 * time.Second

// Limits are the guard's thresholds; a zero maximum disables that limit.
type Limits struct {
	// MaxFailuresPerUser is how many failed logins one username may have in
	// Window.
	MaxFailuresPerUser int
	// MaxAttemptsPerAddr is how many failed logins one client address may
	// make in Window, whichever usernames they try.
	MaxAttemptsPerAddr int
	// Window is the length of the login windows.
	Window time.Duration
	// MaxRegistrationsPerAddr is how many registrations one client address
	// may make in RegisterWindow.
	MaxRegistrationsPerAddr int
	// RegisterWindow is the length of the registration windows.
	RegisterWindow time.Duration
}

// Guard implements accounts.Guard over a ratelimit.Limiter.
type Guard struct {
	limiter *ratelimit.Limiter
	limits  Limits
	log     *slog.Logger
	// downUntil is when to try Redis again after a failure (Unix
	// nanoseconds; zero while Redis answers).
	downUntil atomic.Int64
}

var _ accounts.Guard = (*Guard)(nil)

// New returns a Guard counting with limiter.
func New(limiter *ratelimit.Limiter, limits Limits, log *slog.Logger) (*Guard, error) {
	if limiter == nil {
		return nil, errors.New("new throttle: nil limiter")
	}
	if limits.MaxFailuresPerUser < 0 || limits.MaxAttemptsPerAddr < 0 || limits.MaxRegistrationsPerAddr < 0 {
		return nil, errors.New("new throttle: negative limit")
	}
	if (limits.MaxFailuresPerUser > 0 || limits.MaxAttemptsPerAddr > 0) && limits.Window <= 0 {
		return nil, errors.New("new throttle: login window must be positive")
	}
	if limits.MaxRegistrationsPerAddr > 0 && limits.RegisterWindow <= 0 {
		return nil, errors.New("new throttle: register window must be positive")
	}
	return &Guard{limiter: limiter, limits: limits, log: log}, nil
}

// loginRules are the counters of one login attempt. The username is hashed
// into the key so that any input (up to the request size cap) makes a
// short key and names never appear in Redis. An unknown address gets no
// per-address rule rather than one counter shared by every such request.
func (g *Guard) loginRules(usernameKey, clientAddr string) (user, addr ratelimit.Rule) {
	sum := sha256.Sum256([]byte(usernameKey))
	user = ratelimit.Rule{Key: "users:login:user:" + hex.EncodeToString(sum[:16]), Limit: g.limits.MaxFailuresPerUser, Window: g.limits.Window}
	if clientAddr != "" {
		addr = ratelimit.Rule{Key: "users:login:addr:" + clientip.Bucket(clientAddr), Limit: g.limits.MaxAttemptsPerAddr, Window: g.limits.Window}
	}
	return user, addr
}

// BeginLogin counts the attempt as a failure up front, against the username
// and the address; LoginSucceeded takes it back. Counting before the
// password check is what makes the limit hold under concurrency: parallel
// guesses cannot all pass a check before any of them is counted.
func (g *Guard) BeginLogin(ctx context.Context, usernameKey, clientAddr string) error {
	user, addr := g.loginRules(usernameKey, clientAddr)
	return g.take(ctx, "login", user, addr)
}

// LoginSucceeded resets the username's failures and refunds the attempt
// to the address, whose limit counts failures only (many customers may
// share one address behind a NAT).
func (g *Guard) LoginSucceeded(ctx context.Context, usernameKey, clientAddr string) {
	if g.down() {
		return
	}
	user, addr := g.loginRules(usernameKey, clientAddr)
	err := g.limiter.Reset(ctx, user)
	if err == nil {
		err = g.limiter.Refund(ctx, addr)
	}
	if err != nil {
		g.failed(ctx, "login rate limit: could not forget the attempt", err)
	}
}

// BeginRegister counts a registration against the client address.
func (g *Guard) BeginRegister(ctx context.Context, clientAddr string) error {
	if clientAddr == "" {
		return nil
	}
	return g.take(ctx, "register", ratelimit.Rule{
		Key: "users:register:addr:" + clientip.Bucket(clientAddr), Limit: g.limits.MaxRegistrationsPerAddr, Window: g.limits.RegisterWindow,
	})
}

// take applies rules, failing open on storage errors.
func (g *Guard) take(ctx context.Context, what string, rules ...ratelimit.Rule) error {
	if g.down() {
		return nil
	}
	d, err := g.limiter.Take(ctx, rules...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g.failed(ctx, what+" rate limit unavailable; allowing attempts unchecked for "+RetryAfterFailure.String(), err)
		return nil
	}
	if !d.Allowed {
		return &accounts.RateLimitedError{RetryAfter: d.RetryAfter}
	}
	return nil
}

// down reports whether Redis failed less than RetryAfterFailure ago.
func (g *Guard) down() bool {
	until := g.downUntil.Load()
	return until != 0 && time.Now().UnixNano() < until
}

// failed logs err and leaves Redis alone for RetryAfterFailure.
func (g *Guard) failed(ctx context.Context, msg string, err error) {
	g.downUntil.Store(time.Now().Add(RetryAfterFailure).UnixNano())
	g.log.WarnContext(ctx, msg, "err", err)
}

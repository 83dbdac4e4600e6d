// Package throttle is the users service's accounts.Guard: it limits failed
// logins and registrations with counters in Redis, so every users replica,
// behind every router replica, counts together.
//
// The login limits are keyed so that an attacker cannot lock a customer
// out, much as large identity providers do it:
//
//   - Per username and client address: MaxFailuresPerUserAddr failures
//     (default 5) in a Window lock that pair until the window ends. An
//     attacker guessing from one address locks out only themself; the
//     owner, from any other address, logs in as usual.
//   - Per client address: MaxAttemptsPerAddr failures in a Window (default
//     20), whatever the usernames, against one address spraying many names.
//   - Per username, from every address: after UserBackoffAfter failures
//     (default 50, out of reach of one address under the two limits above)
//     each further attempt waits exponentially longer since the last
//     failure (UserBackoff, doubling up to UserBackoffMax) rather than
//     meeting a hard lock: a guessing botnet gets a few attempts an hour.
//     Addresses the user logged in from within FamiliarFor skip this wait,
//     so the owner's usual places stay open even then.
//
// Every attempt is counted before the password is checked (parallel
// guesses cannot all pass a check first), and a success gives its attempt
// back and forgets the pair's failures. Refused attempts are not counted.
// Unknown usernames are limited exactly like known ones, so refusals do not
// tell which names exist.
//
// When Redis cannot be reached the guard lets attempts through and logs a
// warning: an outage of the counter store must not lock every customer
// out, and bcrypt's cost still slows guessing meanwhile. The Redis client's
// own short dial, pool and read timeouts bound each call, and after a
// failure the guard leaves Redis alone for RetryAfterFailure, so an outage
// adds one short wait now and then instead of one to every login.
package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/clientip"
	"github.com/shopsupergraph/shop/platform/ratelimit"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// RetryAfterFailure is how long the guard lets attempts through unchecked
// after Redis failed, before it tries Redis again.
const RetryAfterFailure = 5 * time.Second

// Limits are the guard's thresholds; a zero maximum disables that limit.
type Limits struct {
	// MaxFailuresPerUserAddr is how many failed logins one username may
	// have from one client address in Window.
	MaxFailuresPerUserAddr int
	// MaxAttemptsPerAddr is how many failed logins one client address may
	// make in Window, whichever usernames they try.
	MaxAttemptsPerAddr int
	// Window is the length of the two windows above.
	Window time.Duration
	// UserBackoffAfter is how many failed logins one username may have,
	// from every address together, before each further attempt must wait.
	// The count is forgotten Window after the last failure's wait ended.
	UserBackoffAfter int
	// UserBackoff is the first wait; each further failure doubles it, up
	// to UserBackoffMax.
	UserBackoff    time.Duration
	UserBackoffMax time.Duration
	// FamiliarFor is how long an address the user logged in from skips
	// the per-username wait.
	FamiliarFor time.Duration
	// MaxRegistrationsPerAddr is how many registrations one client address
	// may make in RegisterWindow.
	MaxRegistrationsPerAddr int
	// RegisterWindow is the length of the registration windows.
	RegisterWindow time.Duration
}

// Validate reports every inconsistent threshold.
func (l Limits) Validate() error {
	var errs []error
	if l.MaxFailuresPerUserAddr < 0 || l.MaxAttemptsPerAddr < 0 || l.UserBackoffAfter < 0 || l.MaxRegistrationsPerAddr < 0 {
		errs = append(errs, errors.New("negative limit"))
	}
	if (l.MaxFailuresPerUserAddr > 0 || l.MaxAttemptsPerAddr > 0 || l.UserBackoffAfter > 0) && l.Window <= 0 {
		errs = append(errs, errors.New("login window must be positive"))
	}
	if l.UserBackoffAfter > 0 && (l.UserBackoff <= 0 || l.UserBackoffMax < l.UserBackoff || l.FamiliarFor <= 0) {
		errs = append(errs, errors.New("per-username backoff needs a positive first wait, a maximum no shorter than it and a positive familiar-address time"))
	}
	if l.MaxRegistrationsPerAddr > 0 && l.RegisterWindow <= 0 {
		errs = append(errs, errors.New("register window must be positive"))
	}
	return errors.Join(errs...)
}

// Guard implements accounts.Guard over Redis.
type Guard struct {
	client  redis.Cmdable
	prefix  string
	limiter *ratelimit.Limiter
	limits  Limits
	log     *slog.Logger
	// downUntil is when to try Redis again after a failure (Unix
	// nanoseconds; zero while Redis answers).
	downUntil atomic.Int64
}

var _ accounts.Guard = (*Guard)(nil)

// New returns a Guard keeping its counters in client under keys starting
// with prefix. Give it a client that does not retry (MaxRetries -1): a
// count whose reply timed out may have happened, and a retry would count
// the attempt twice.
func New(client redis.Cmdable, prefix string, limits Limits, log *slog.Logger) (*Guard, error) {
	if client == nil {
		return nil, errors.New("new throttle: nil redis client")
	}
	if err := limits.Validate(); err != nil {
		return nil, fmt.Errorf("new throttle: %w", err)
	}
	limiter, err := ratelimit.New(client, prefix)
	if err != nil {
		return nil, fmt.Errorf("new throttle: %w", err)
	}
	return &Guard{client: client, prefix: prefix, limiter: limiter, limits: limits, log: log}, nil
}

// loginKeys names the counters of one login attempt. The username is
// hashed so that any input (up to the request size cap) makes a short key
// and names never appear in Redis. An unknown address (the service never
// sees one over HTTP) gets no per-address rule rather than one counter
// shared by every such request, and shares one pair per username.
type loginKeys struct {
	pair, addr ratelimit.Rule
	// backoff is the per-username state; familiar marks an address the
	// user logged in from (empty for an unknown address).
	backoff, familiar string
}

func (g *Guard) loginKeys(usernameKey, clientAddr string) loginKeys {
	sum := sha256.Sum256([]byte(usernameKey))
	user := hex.EncodeToString(sum[:16])
	bucket := "unknown"
	if clientAddr != "" {
		bucket = clientip.Bucket(clientAddr)
	}
	k := loginKeys{
		pair:    ratelimit.Rule{Key: "users:login:pair:" + user + ":" + bucket, Limit: g.limits.MaxFailuresPerUserAddr, Window: g.limits.Window},
		backoff: g.prefix + "users:login:backoff:" + user,
	}
	if clientAddr != "" {
		k.addr = ratelimit.Rule{Key: "users:login:addr:" + bucket, Limit: g.limits.MaxAttemptsPerAddr, Window: g.limits.Window}
		k.familiar = g.prefix + "users:login:familiar:" + user + ":" + bucket
	}
	return k
}

// backoffScript counts one attempt against a username's backoff state
// (KEYS[1], a hash of the failure count n and the time of the last
// counted failure, in ms) unless the username is past ARGV[2] failures
// and the wait since the last one (ARGV[3] ms, doubled per failure beyond
// ARGV[2], at most ARGV[4] ms) has not passed; an address with a
// familiar mark (KEYS[2]) is counted without waiting. It returns 0 when
// counted, otherwise the ms left to wait. ARGV[1] is the time now in ms,
// ARGV[5] how long the state outlives its last wait (ms).
var backoffScript = redis.NewScript(`
local now, after, base, cap, idle = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function wait(n)
  if n < after then return 0 end
  local e = n - after
  if e > 40 then return cap end
  return math.floor(math.min(base * 2 ^ e, cap))
end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
-- Below the ceiling nothing waits: concurrent callers' clocks differ by
-- a little, so "now" may be earlier than another caller's "last".
if n >= after and not (KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1) then
  local left = last + wait(n) - now
  if left > 0 then return left end
end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'last', math.max(last, now))
redis.call('PEXPIRE', KEYS[1], wait(n) + idle)
return 0
`)

// forgiveScript takes one counted attempt back from a username's backoff
// state (KEYS[1]) and marks the address familiar (KEYS[2], ARGV[1] ms).
var forgiveScript = redis.NewScript(`
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HSET', KEYS[1], 'n', n - 1) end
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end
return 0
`)

// BeginLogin counts the attempt as a failure up front, against the pair,
// the address and the username; LoginSucceeded takes it back. When the
// per-username wait refuses it, the pair's and the address's counts are
// given back, so only attempts that reach the password check are counted.
func (g *Guard) BeginLogin(ctx context.Context, usernameKey, clientAddr string) error {
	if g.down() {
		return nil
	}
	k := g.loginKeys(usernameKey, clientAddr)
	if err := g.take(ctx, "login", k.pair, k.addr); err != nil {
		return err
	}
	if g.limits.UserBackoffAfter <= 0 || g.down() {
		return nil
	}
	// The time is this replica's, like the fixed windows' (see
	// platform/ratelimit): replicas agree as far as their clocks do.
	left, err := backoffScript.Run(ctx, g.client, []string{k.backoff, k.familiar},
		time.Now().UnixMilli(), g.limits.UserBackoffAfter, g.limits.UserBackoff.Milliseconds(),
		g.limits.UserBackoffMax.Milliseconds(), g.limits.Window.Milliseconds()).Int64()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g.failed(ctx, "login backoff unavailable; allowing attempts unchecked for "+RetryAfterFailure.String(), err)
		return nil
	}
	if left <= 0 {
		return nil
	}
	if err := g.limiter.Refund(ctx, k.pair, k.addr); err != nil {
		g.failed(ctx, "login rate limit: could not give back a refused attempt", err)
	}
	return &accounts.RateLimitedError{RetryAfter: time.Duration(left) * time.Millisecond}
}

// LoginSucceeded forgets the pair's failures, gives the attempt back to
// the address (whose limit counts failures only: many customers may share
// one address behind a NAT) and to the username, and marks the address
// familiar. The username's other failures stay: a success from one place
// must not hand a distributed guesser a fresh allowance.
func (g *Guard) LoginSucceeded(ctx context.Context, usernameKey, clientAddr string) {
	if g.down() {
		return
	}
	k := g.loginKeys(usernameKey, clientAddr)
	err := g.limiter.Reset(ctx, k.pair)
	if err == nil {
		err = g.limiter.Refund(ctx, k.addr)
	}
	if err == nil && g.limits.UserBackoffAfter > 0 {
		err = forgiveScript.Run(ctx, g.client, []string{k.backoff, k.familiar}, g.limits.FamiliarFor.Milliseconds()).Err()
	}
	if err != nil {
		g.failed(ctx, "login rate limit: could not forget the attempt", err)
	}
}

// BeginRegister counts a registration against the client address.
func (g *Guard) BeginRegister(ctx context.Context, clientAddr string) error {
	if clientAddr == "" || g.down() {
		return nil
	}
	return g.take(ctx, "register", ratelimit.Rule{
		Key: "users:register:addr:" + clientip.Bucket(clientAddr), Limit: g.limits.MaxRegistrationsPerAddr, Window: g.limits.RegisterWindow,
	})
}

// take applies fixed-window rules, failing open on storage errors.
func (g *Guard) take(ctx context.Context, what string, rules ...ratelimit.Rule) error {
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

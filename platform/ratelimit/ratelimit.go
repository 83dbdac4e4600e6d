// Package ratelimit counts attempts in fixed windows kept in Redis, so every
// replica of a service (and every router in front of it) sees the same
// counters. A Take either counts one attempt against each of its rules or,
// when any rule is exhausted, refuses without counting, in one atomic
// script: concurrent attempts cannot slip past a limit between a check and
// an increment.
//
// Each window has its own key, named after the window's number since the
// Unix epoch; the key's expiry only collects garbage. So a window ends on
// time even on a Redis that does not expire keys by itself (the embedded
// miniredis stand-in only expires keys when told to), and replicas agree on
// windows as far as their clocks agree.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Rule is one counter: at most Limit attempts per Window under Key. A Limit
// of zero or less disables the rule.
type Rule struct {
	Key    string
	Limit  int
	Window time.Duration
}

// Decision is the outcome of a Take.
type Decision struct {
	// Allowed is true when the attempt was counted against every rule.
	Allowed bool
	// RetryAfter is how long until the exhausted rule's window ends; zero
	// when allowed.
	RetryAfter time.Duration
	// Key is the exhausted rule's key (without the prefix); empty when allowed.
	Key string
}

// Limiter keeps its counters under a key prefix in one Redis.
type Limiter struct {
	client redis.Cmdable
	prefix string
}

// New returns a Limiter over client whose keys start with prefix. The
// multi-key scripts need every key on one node: use a single Redis (or a
// prefix with a hash tag on a cluster). Give it redisx.NewLimits' client,
// which does not retry (a Take whose reply timed out may have counted, and
// a retry would count the attempt twice), on a Redis that never evicts:
// an evicted counter is a window started afresh.
func New(client redis.Cmdable, prefix string) (*Limiter, error) {
	if client == nil {
		return nil, errors.New("new rate limiter: nil redis client")
	}
	return &Limiter{client: client, prefix: prefix}, nil
}

// takeScript refuses when any counter has reached its limit, returning the
// index (1-based) of that rule; otherwise it increments every counter,
// giving a new one the expiry in milliseconds passed after its limit, and
// returns 0.
var takeScript = redis.NewScript(`
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n >= tonumber(ARGV[2*i-1]) then
    return i
  end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2*i])
  end
end
return 0
`)

// refundScript takes one attempt back from each existing positive counter,
// never creating a key or going below zero.
var refundScript = redis.NewScript(`
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
`)

// Take counts one attempt against every enabled rule, or none when one of
// them is exhausted. With no enabled rule it allows without a round trip.
func (l *Limiter) Take(ctx context.Context, rules ...Rule) (Decision, error) {
	now := time.Now()
	var active []Rule
	for _, r := range rules {
		if r.Limit > 0 {
			if r.Window <= 0 {
				return Decision{}, fmt.Errorf("rate limit %q: window must be positive", r.Key)
			}
			active = append(active, r)
		}
	}
	if len(active) == 0 {
		return Decision{Allowed: true}, nil
	}
	keys := make([]string, len(active))
	args := make([]any, 0, 2*len(active))
	for i, r := range active {
		var left time.Duration
		keys[i], left = l.windowKey(r, now)
		// A second of slack keeps the key until every replica's clock has
		// left the window too.
		args = append(args, r.Limit, (left + time.Second).Milliseconds())
	}
	i, err := takeScript.Run(ctx, l.client, keys, args...).Int64()
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit take: %w", err)
	}
	if i < 0 || i > int64(len(active)) {
		return Decision{}, fmt.Errorf("rate limit take: unexpected script reply %d", i)
	}
	if i == 0 {
		return Decision{Allowed: true}, nil
	}
	r := active[i-1]
	_, left := l.windowKey(r, now)
	return Decision{RetryAfter: left, Key: r.Key}, nil
}

// Refund takes back one counted attempt from each rule's current window,
// for attempts that turned out not to be the kind being limited (a
// successful login under a failures-only rule).
func (l *Limiter) Refund(ctx context.Context, rules ...Rule) error {
	keys := l.currentKeys(rules)
	if len(keys) == 0 {
		return nil
	}
	if err := refundScript.Run(ctx, l.client, keys).Err(); err != nil {
		return fmt.Errorf("rate limit refund: %w", err)
	}
	return nil
}

// Reset forgets the counts of the rules' current windows.
func (l *Limiter) Reset(ctx context.Context, rules ...Rule) error {
	keys := l.currentKeys(rules)
	if len(keys) == 0 {
		return nil
	}
	if err := l.client.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("rate limit reset: %w", err)
	}
	return nil
}

// currentKeys returns the current window keys of the enabled rules.
func (l *Limiter) currentKeys(rules []Rule) []string {
	now := time.Now()
	var keys []string
	for _, r := range rules {
		if r.Limit > 0 && r.Window > 0 {
			k, _ := l.windowKey(r, now)
			keys = append(keys, k)
		}
	}
	return keys
}

// windowKey returns the key of r's window containing now and the time left
// in that window.
func (l *Limiter) windowKey(r Rule, now time.Time) (string, time.Duration) {
	w := r.Window.Milliseconds()
	if w <= 0 {
		w = 1
	}
	ms := now.UnixMilli()
	n := ms / w
	left := time.Duration((n+1)*w-ms) * time.Millisecond
	return l.prefix + r.Key + ":" + strconv.FormatInt(n, 10), left
}

package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// login posts a login as if from client address addr (the router forwards
// it in X-Forwarded-For; tests reach the service from loopback, which
// start trusts as the router's address).
func login(t *testing.T, url, username, password, addr string) gqlResponse {
	t.Helper()
	var h map[string]string
	if addr != "" {
		h = map[string]string{"X-Forwarded-For": addr}
	}
	return gql(t, url, loginMutation, map[string]any{"input": map[string]any{"username": username, "password": password}}, h)
}

// expectLimited checks a TOO_MANY_REQUESTS refusal with a sane retryAfter:
// within the default login window of 15 minutes.
func expectLimited(t *testing.T, r gqlResponse, what string) {
	t.Helper()
	expectLimitedWithin(t, r, 15*time.Minute, what)
}

func expectLimitedWithin(t *testing.T, r gqlResponse, window time.Duration, what string) {
	t.Helper()
	if r.code() != "TOO_MANY_REQUESTS" || string(r.Data) != `{"login":null}` && string(r.Data) != `{"registerUser":null}` {
		t.Fatalf("%s: %s %+v, want TOO_MANY_REQUESTS", what, r.Data, r.Errors)
	}
	ra, ok := r.Errors[0].Extensions["retryAfter"].(float64)
	if !ok || ra < 1 || ra > window.Seconds() || ra != float64(int(ra)) {
		t.Fatalf("%s: retryAfter = %v, want whole seconds in 1..%v", what, r.Errors[0].Extensions["retryAfter"], window.Seconds())
	}
}

func expectCode(t *testing.T, r gqlResponse, code, what string) {
	t.Helper()
	if r.code() != code {
		t.Fatalf("%s: %s %+v, want %s", what, r.Data, r.Errors, code)
	}
}

// TestOwnerLogsInWhileAttackerFails: failures lock a username only from
// the address they came from, so an attacker guessing (in any letter case)
// cannot lock the owner out.
func TestOwnerLogsInWhileAttackerFails(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	register(t, in.URL, "Erin", "right-password", nil)
	const attacker = "203.0.113.66"
	for i, name := range []string{"Erin", "erin", "ERIN", "eRIN", "erin"} {
		expectCode(t, login(t, in.URL, name, "wrong-password", attacker), "UNAUTHENTICATED", fmt.Sprintf("failure %d", i+1))
	}
	for i := range 3 {
		expectLimited(t, login(t, in.URL, "erin", "guess", attacker), fmt.Sprintf("attacker attempt %d past the limit", i+6))
	}
	expectLimited(t, login(t, in.URL, "erin", "right-password", attacker), "right password from the attacker's address")
	// The owner, from an address that has not failed, logs in as usual.
	expectCode(t, login(t, in.URL, "erin", "right-password", "198.51.100.7"), "", "owner from another address")
	expectCode(t, login(t, in.URL, "Erin", "right-password", "2001:db8::7"), "", "owner over IPv6")

	// An unknown name is limited the same way, so refusals do not tell
	// which names exist.
	for i := range 5 {
		expectCode(t, login(t, in.URL, "nobody-here", "wrong-password", "203.0.113.1"), "UNAUTHENTICATED", fmt.Sprintf("unknown name failure %d", i+1))
	}
	expectLimited(t, login(t, in.URL, "nobody-here", "wrong-password", "203.0.113.1"), "6th attempt for an unknown name")
}

// TestUsernameBackoffFromManyAddresses: guesses from many addresses meet
// the per-username ceiling, after which fresh addresses wait while the
// addresses the owner logged in from stay open.
func TestUsernameBackoffFromManyAddresses(t *testing.T) {
	t.Parallel()
	in := start(t, options{vars: map[string]string{"LOGIN_USER_BACKOFF_AFTER": "10", "LOGIN_USER_BACKOFF": "1h", "LOGIN_USER_BACKOFF_MAX": "2h"}})
	register(t, in.URL, "olivia", "right-password", nil)
	const home = "192.0.2.10"
	expectCode(t, login(t, in.URL, "olivia", "right-password", home), "", "owner at home")
	for i := range 10 {
		expectCode(t, login(t, in.URL, "olivia", "wrong-password", fmt.Sprintf("203.0.113.%d", i+1)), "UNAUTHENTICATED", fmt.Sprintf("botnet failure %d", i+1))
	}
	expectLimitedWithin(t, login(t, in.URL, "olivia", "wrong-password", "203.0.113.50"), time.Hour, "11th failure from yet another address")
	expectLimitedWithin(t, login(t, in.URL, "olivia", "right-password", "198.51.100.50"), time.Hour, "right password from an unfamiliar address")
	expectCode(t, login(t, in.URL, "olivia", "right-password", home), "", "owner at home during the backoff")
	expectCode(t, login(t, in.URL, "olivia", "wrong-password", home), "UNAUTHENTICATED", "a typo at home is only a typo")
}

func TestLoginSuccessResetsUserFailures(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	register(t, in.URL, "grace", "right-password", nil)
	for round := range 3 {
		for i := range 4 {
			expectCode(t, login(t, in.URL, "grace", "wrong-password", "198.51.100.1"), "UNAUTHENTICATED", fmt.Sprintf("round %d failure %d", round, i+1))
		}
		expectCode(t, login(t, in.URL, "Grace", "right-password", "198.51.100.1"), "", fmt.Sprintf("round %d success", round))
	}
	// 12 failures in all, none of them refused: each success started over.
}

func TestLoginLimitPerAddress(t *testing.T) {
	t.Parallel()
	in := start(t, options{vars: map[string]string{"LOGIN_MAX_ATTEMPTS_PER_ADDR": "8"}})
	register(t, in.URL, "heidi", "right-password", nil)
	const attacker = "198.51.100.66"
	// Successful logins from the address do not use up its allowance.
	for range 3 {
		expectCode(t, login(t, in.URL, "heidi", "right-password", attacker), "", "success from the address")
	}
	for i := range 8 {
		expectCode(t, login(t, in.URL, fmt.Sprintf("victim%d", i), "password1", attacker), "UNAUTHENTICATED", fmt.Sprintf("spray %d", i+1))
	}
	expectLimited(t, login(t, in.URL, "victim99", "password1", attacker), "9th name from one address")
	expectLimited(t, login(t, in.URL, "heidi", "right-password", attacker), "right password from the limited address")
	// The same user from elsewhere, and IPv6 neighbours of nobody, are fine.
	expectCode(t, login(t, in.URL, "heidi", "right-password", "198.51.100.67"), "", "another address")
	expectCode(t, login(t, in.URL, "heidi", "right-password", "2001:db8::1"), "", "an IPv6 address")
}

// TestForwardedAddressNeedsATrustedProxy: by default no peer is trusted to
// name the client, not even loopback or a private address, so rotating
// X-Forwarded-For values does not escape the peer address's limit.
func TestForwardedAddressNeedsATrustedProxy(t *testing.T) {
	t.Parallel()
	for name, trusted := range map[string]string{"default": "", "none": "none", "another proxy": "10.1.2.3"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := start(t, options{vars: map[string]string{"LOGIN_MAX_ATTEMPTS_PER_ADDR": "3", "TRUSTED_PROXIES": trusted}})
			for i := range 3 {
				expectCode(t, login(t, in.URL, fmt.Sprintf("spray%d", i), "password1", fmt.Sprintf("203.0.113.%d", i)), "UNAUTHENTICATED", fmt.Sprintf("spray %d", i+1))
			}
			for i := range 5 {
				expectLimited(t, login(t, in.URL, fmt.Sprintf("spray%d", 10+i), "password1", fmt.Sprintf("198.51.100.%d", 100+i)), "spoofed address")
			}
		})
	}
}

func TestLoginLimitSharedAcrossInstances(t *testing.T) {
	t.Parallel()
	db, redisPrefix := testenv.Name("users"), testenv.Name("r")+":"
	a := start(t, options{db: db, redisPrefix: redisPrefix})
	b := start(t, options{db: db, redisPrefix: redisPrefix})
	register(t, a.URL, "ivan", "right-password", nil)
	for i := range 5 {
		url := []string{a.URL, b.URL}[i%2]
		expectCode(t, login(t, url, "ivan", "wrong-password", "198.51.100.1"), "UNAUTHENTICATED", fmt.Sprintf("failure %d", i+1))
	}
	expectLimited(t, login(t, a.URL, "ivan", "right-password", "198.51.100.1"), "instance a")
	expectLimited(t, login(t, b.URL, "ivan", "right-password", "198.51.100.1"), "instance b")
}

// TestConcurrentGuessesStopAtTheLimit: attempts are counted before the
// password is checked, so parallel guesses cannot all pass the check.
func TestConcurrentGuessesStopAtTheLimit(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	register(t, in.URL, "judy", "right-password", nil)
	codes := make([]string, 30)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			codes[i] = login(t, in.URL, "judy", fmt.Sprintf("guess-%d", i), "198.51.100.1").code()
		})
	}
	wg.Wait()
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count["UNAUTHENTICATED"] != 5 || count["TOO_MANY_REQUESTS"] != 25 {
		t.Fatalf("30 parallel guesses answered %v, want 5 UNAUTHENTICATED and 25 TOO_MANY_REQUESTS", count)
	}
}

func TestRegisterLimitPerAddress(t *testing.T) {
	t.Parallel()
	in := start(t, options{vars: map[string]string{"REGISTER_MAX_PER_ADDR": "2"}})
	reg := func(name, addr string) gqlResponse {
		return gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": name, "password": "password"}},
			map[string]string{"X-Forwarded-For": addr})
	}
	expectCode(t, reg("mass1", "198.51.100.1"), "", "first")
	expectCode(t, reg("mass2", "198.51.100.1"), "", "second")
	expectLimitedWithin(t, reg("mass3", "198.51.100.1"), time.Hour, "third from one address")
	expectCode(t, reg("mass3", "198.51.100.2"), "", "from another address")
}

// TestRegisterLimitByDefault: without configuration one address may
// register 10 accounts an hour.
func TestRegisterLimitByDefault(t *testing.T) {
	t.Parallel()
	in := start(t, options{vars: map[string]string{"REGISTER_MAX_PER_ADDR": ""}})
	reg := func(name, addr string) gqlResponse {
		return gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": name, "password": "password"}},
			map[string]string{"X-Forwarded-For": addr})
	}
	for i := range 10 {
		expectCode(t, reg(fmt.Sprintf("bulk%02d", i), "198.51.100.1"), "", fmt.Sprintf("registration %d", i+1))
	}
	for i := range 3 {
		expectLimitedWithin(t, reg(fmt.Sprintf("bulk%02d", 10+i), "198.51.100.1"), time.Hour, fmt.Sprintf("registration %d", 11+i))
	}
	expectCode(t, reg("bulk99", "198.51.100.2"), "", "from another address")
	// The refused names were not registered.
	expectCode(t, reg("bulk10", "198.51.100.3"), "", "a refused name is still free")
}

// TestLoginWithRedisDown: the limits fail open, so customers can still log
// in (and wrong passwords are still refused) while Redis is away.
func TestLoginWithRedisDown(t *testing.T) {
	t.Parallel()
	infra := testenv.Fresh(t)
	in := start(t, options{infra: infra})
	register(t, in.URL, "kim", "right-password", nil)
	expectCode(t, login(t, in.URL, "kim", "wrong-password", "198.51.100.1"), "UNAUTHENTICATED", "before the outage")
	infra.Stack.StopRedis()
	for i := range 7 {
		expectCode(t, login(t, in.URL, "kim", "wrong-password", "198.51.100.1"), "UNAUTHENTICATED", fmt.Sprintf("wrong password %d during the outage", i+1))
	}
	expectCode(t, login(t, in.URL, "kim", "right-password", "198.51.100.1"), "", "right password during the outage")
	expectCode(t, gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": "lee", "password": "password"}}, nil), "", "register during the outage")
	// Once Redis is back (the guard retries it a few seconds after a
	// failure), failures count again and the limit returns.
	if err := infra.Stack.RestartRedis(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the limit to apply again", func() (bool, error) {
		r := login(t, in.URL, "lee", "wrong-password", "198.51.100.1")
		if c := r.code(); c != "UNAUTHENTICATED" && c != "TOO_MANY_REQUESTS" {
			return false, fmt.Errorf("unexpected answer %s %+v", r.Data, r.Errors)
		}
		return r.code() == "TOO_MANY_REQUESTS", nil
	})
	expectLimited(t, login(t, in.URL, "lee", "password", "198.51.100.1"), "right password after the outage")
}

// TestLimitCountersLiveInTheirOwnDatabase: the attempt counters go to the
// limits database (REDIS_LIMITS_DB, default 1) and never to the cache's
// (REDIS_DB, default 0), whose eviction would lift the limits, and every
// one of them expires on its own.
func TestLimitCountersLiveInTheirOwnDatabase(t *testing.T) {
	t.Parallel()
	addr := testenv.Get(t).RedisAddr
	for _, c := range []struct {
		name string
		vars map[string]string
		db   int
	}{
		{"default", nil, 1},
		{"configured", map[string]string{"REDIS_LIMITS_DB": "5"}, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			prefix := testenv.Name("limitsdb") + ":"
			in := start(t, options{redisPrefix: prefix, vars: c.vars})
			register(t, in.URL, "Nell", "right-password", nil)
			expectCode(t, login(t, in.URL, "nell", "wrong-password", "198.51.100.7"), "UNAUTHENTICATED", "failed login")
			ctx := context.Background()
			for _, db := range []int{0, 1, 5} {
				rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db, DisableIdentity: true})
				keys, err := rdb.Keys(ctx, prefix+"*").Result()
				if err != nil {
					t.Fatal(err)
				}
				if db != c.db {
					if len(keys) > 0 {
						t.Errorf("database %d holds counters %v; they belong in %d", db, keys, c.db)
					}
				} else {
					if len(keys) < 2 { // at least the pair and the address windows
						t.Errorf("database %d holds %v, want the login counters", db, keys)
					}
					for _, k := range keys {
						if ttl, err := rdb.PTTL(ctx, k).Result(); err != nil || ttl <= 0 {
							t.Errorf("counter %s has no expiry (%v, %v)", k, ttl, err)
						}
					}
				}
				_ = rdb.Close()
			}
		})
	}
}

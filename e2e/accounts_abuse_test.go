package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

const loginMutation = `mutation($in: LoginInput) { login(input: $in) { access_token } }`

// limitedLogin reports whether a login answer is the rate limit, and fails
// on anything but the limit or a wrong password.
func limitedLogin(t *testing.T, r *harness.Response) bool {
	t.Helper()
	if r.Status == 429 || r.HasCode("TOO_MANY_REQUESTS") {
		return true
	}
	if !r.HasCode("UNAUTHENTICATED") {
		t.Fatalf("wrong password: want UNAUTHENTICATED or TOO_MANY_REQUESTS, got %d %s", r.Status, r.Body)
	}
	return false
}

// TestRotatedForwardedFor plays an attacker who writes a new address in
// X-Forwarded-For on every guess, to the router and to the users subgraph
// directly, from a peer nobody trusts: the per-address login limit must
// count the peer, not the header.
func TestRotatedForwardedFor(t *testing.T) {
	t.Parallel()
	// Users with its default (the harness otherwise trusts loopback, where
	// the routers run): a direct peer cannot name the client, and the
	// router, trusting no proxy by default, replaces the header with the
	// peer it sees.
	sys := harness.Start(t, bins, harness.Options{Env: map[string]string{"TRUSTED_PROXIES": ""}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, target := range []struct{ name, url string }{{"router", sys.Router()}, {"users", sys.Users.GraphQL()}} {
		t.Run(target.name, func(t *testing.T) {
			c := harness.NewClient(target.url)
			for i := range 60 {
				hdr := map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)}
				r, err := c.Do(ctx, loginMutation, map[string]any{"in": map[string]any{
					"username": fmt.Sprintf("nobody_%s_%d", target.name, i), "password": "guess-" + randHex(4)}}, hdr)
				if err != nil {
					t.Fatal(err)
				}
				if limitedLogin(t, r) {
					t.Logf("limited after %d guesses with rotated X-Forwarded-For", i)
					return
				}
			}
			t.Fatal("60 guesses, each naming another address in X-Forwarded-For, were never limited")
		})
	}
	sys.CheckAlive(t)
}

// TestLockoutAttempt plays an attacker who fails the victim's password from
// one address behind a trusted load balancer: the victim, from their own
// address, still logs in.
func TestLockoutAttempt(t *testing.T) {
	t.Parallel()
	// The router trusts the test (a load balancer on loopback) to name
	// the client, as a deployment behind one does.
	sys := harness.Start(t, bins, harness.Options{RouterEnv: map[string]string{"ROUTER_TRUSTED_PROXIES": "127.0.0.1,::1"}})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	victim := s.register(ctx, "victim")
	attacker := map[string]string{"X-Forwarded-For": "203.0.113.66"}
	limited := false
	for range 12 {
		r := s.do(ctx, loginMutation, map[string]any{"in": map[string]any{"username": victim.Username, "password": "guess-" + randHex(4)}}, attacker)
		if limitedLogin(t, r) {
			limited = true
		}
	}
	if !limited {
		t.Error("12 wrong passwords for one username from one address were never limited")
	}
	var out struct {
		Login struct {
			AccessToken string `json:"access_token"`
		} `json:"login"`
	}
	r := s.do(ctx, loginMutation, map[string]any{"in": map[string]any{"username": victim.Username, "password": "correct horse battery"}},
		map[string]string{"X-Forwarded-For": "198.51.100.7"})
	if err := r.Decode(&out); err != nil || len(r.Errors) > 0 || out.Login.AccessToken == "" {
		t.Fatalf("the victim could not log in from their own address after the attacker's failures: %d %s", r.Status, r.Body)
	}
	sys.CheckAlive(t)
}

package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// publisher serves a JWK set through JWKSHandler, as users does, and
// counts the fetches; the published keys can change as in a rotation.
type publisher struct {
	srv     *httptest.Server
	fetches atomic.Int32
	down    atomic.Bool
	mu      sync.Mutex
	h       http.Handler
}

func newPublisher(t *testing.T, keys ...Key) *publisher {
	t.Helper()
	p := &publisher{}
	p.publish(t, keys...)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		p.mu.Lock()
		h := p.h
		p.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *publisher) publish(t *testing.T, keys ...Key) {
	t.Helper()
	h, err := JWKSHandler(keys)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.h = h
	p.mu.Unlock()
}

// clock is a settable time for RemoteKeys.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func remote(t *testing.T, p *publisher, o RemoteOptions) (*RemoteKeys, *clock) {
	t.Helper()
	r := NewRemoteKeys(p.srv.URL, o)
	c := &clock{t: time.Now()}
	r.now = c.now
	return r, c
}

func TestJWKSHandler(t *testing.T) {
	t.Parallel()
	k := testKeys()
	p := newPublisher(t, mustIssuer(t, k.ed, "").Key(), mustIssuer(t, k.rsa, "old").Key())
	resp, err := http.Get(p.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Errorf("content type %q", ct)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("keys = %v", set.Keys)
	}
	ed, rs := set.Keys[0], set.Keys[1]
	if ed["kty"] != "OKP" || ed["crv"] != "Ed25519" || ed["x"] == "" || ed["alg"] != "EdDSA" || ed["use"] != "sig" || ed["kid"] == "" || ed["d"] != "" {
		t.Errorf("ed25519 key %v", ed)
	}
	if rs["kty"] != "RSA" || rs["n"] == "" || rs["e"] != "AQAB" || rs["alg"] != "RS256" || rs["use"] != "sig" || rs["kid"] != "old" || rs["d"] != "" {
		t.Errorf("rsa key %v", rs)
	}
}

// TestRemoteKeysUnknownKid: a token naming a kid the cache lacks fetches
// the set once; more unknown kids within the gap fetch nothing, and after
// the gap one fetch again.
func TestRemoteKeysUnknownKid(t *testing.T) {
	t.Parallel()
	k := testKeys()
	cur := mustIssuer(t, k.ed, "")
	next := mustIssuer(t, k.ed2, "")
	p := newPublisher(t, cur.Key())
	r, clk := remote(t, p, RemoteOptions{MinRefreshGap: 30 * time.Second, Refresh: time.Hour})
	v := mustVerifier(t, r)
	ctx := context.Background()

	if id, err := v.Verify(ctx, mustIssue(t, cur, "u1")); err != nil || id.UserID != "u1" {
		t.Fatalf("first token: %+v, %v", id, err)
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for the first token, want 1", n)
	}
	for range 5 {
		if _, err := v.Verify(ctx, mustIssue(t, cur, "u1")); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("known kid fetched again: %d fetches", n)
	}

	// users rotates: the new key is published, a token names it.
	clk.add(time.Minute)
	p.publish(t, next.Key(), cur.Key())
	if id, err := v.Verify(ctx, mustIssue(t, next, "u2")); err != nil || id.UserID != "u2" {
		t.Fatalf("token of the new key: %+v, %v", id, err)
	}
	if n := p.fetches.Load(); n != 2 {
		t.Fatalf("unknown kid caused %d fetches in all, want 2", n)
	}

	// Forged kids right after: no fetch each, refused.
	for _, kid := range []string{"forged-1", "forged-2", "forged-3"} {
		tok := sign(t, jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": kid}, validClaims("u1"))
		if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("kid %s: %v", kid, err)
		}
	}
	if n := p.fetches.Load(); n != 2 {
		t.Fatalf("unknown kids within the gap fetched: %d fetches, want 2", n)
	}
	clk.add(31 * time.Second)
	tok := sign(t, jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": "forged-4"}, validClaims("u1"))
	if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatal(err)
	}
	if n := p.fetches.Load(); n != 3 {
		t.Fatalf("unknown kid after the gap: %d fetches, want 3", n)
	}
}

// TestRemoteKeysRotation: a token of the previous key verifies while the
// set lists it, and stops once the refreshed set no longer does.
func TestRemoteKeysRotation(t *testing.T) {
	t.Parallel()
	k := testKeys()
	old := mustIssuer(t, k.rsa, "")
	cur := mustIssuer(t, k.ed, "")
	p := newPublisher(t, cur.Key(), old.Key())
	r, clk := remote(t, p, RemoteOptions{Refresh: time.Minute, MinRefreshGap: time.Second})
	v := mustVerifier(t, r)
	ctx := context.Background()
	oldTok := mustIssue(t, old, "u-old")
	for _, tok := range []string{oldTok, mustIssue(t, cur, "u-cur")} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatalf("during the rotation: %v", err)
		}
	}
	// The rotation ends: users publishes the current key alone. Once the
	// cached set is older than Refresh, a verification refreshes it in
	// the background.
	p.publish(t, cur.Key())
	clk.add(2 * time.Minute)
	if _, err := v.Verify(ctx, mustIssue(t, cur, "u-cur")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := v.Verify(ctx, oldTok)
		if errors.Is(err, ErrInvalidToken) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("token of the removed key still verifies after the background refresh: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRemoteKeysOutage: a failed refresh keeps the keys known so far; a
// set without usable keys (only an HMAC key) never replaces them.
func TestRemoteKeysOutage(t *testing.T) {
	t.Parallel()
	k := testKeys()
	cur := mustIssuer(t, k.ed, "")
	p := newPublisher(t, cur.Key())
	r, clk := remote(t, p, RemoteOptions{Refresh: time.Minute, MinRefreshGap: time.Second})
	v := mustVerifier(t, r)
	ctx := context.Background()
	if _, err := v.Verify(ctx, mustIssue(t, cur, "u")); err != nil {
		t.Fatal(err)
	}
	p.down.Store(true)
	clk.add(2 * time.Minute)
	if _, err := r.Key(ctx, "unknown"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown kid during the outage: %v", err)
	}
	if _, err := v.Verify(ctx, mustIssue(t, cur, "u")); err != nil {
		t.Fatalf("known key during the outage: %v", err)
	}

	p.down.Store(false)
	oct := JWKSet{Keys: []JWK{{Kty: "oct", Kid: cur.Key().ID, Alg: AlgHS256, Use: "sig"}}}
	body, _ := json.Marshal(oct)
	p.mu.Lock()
	p.h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
	p.mu.Unlock()
	clk.add(2 * time.Minute)
	if _, err := r.Key(ctx, "unknown-2"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	hs := sign(t, jwt.SigningMethodHS256, []byte(secret), map[string]any{"kid": cur.Key().ID}, validClaims("u"))
	if _, err := v.Verify(ctx, hs); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("HS256 token under a published oct key: %v", err)
	}
	if _, err := v.Verify(ctx, mustIssue(t, cur, "u")); err != nil {
		t.Fatalf("known key after a set without usable keys: %v", err)
	}
}

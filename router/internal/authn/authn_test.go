package authn_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/authn/authntest"
)

// keys are generated once: RSA generation is slow on shared cores.
type keys struct {
	ed, edOther, rsa *authntest.Key
}

func newKeys(t *testing.T) keys {
	t.Helper()
	var k keys
	var err error
	for _, step := range []func() error{
		func() error { k.ed, err = authntest.NewEd25519("ed-1"); return err },
		func() error { k.edOther, err = authntest.NewEd25519("ed-1"); return err }, // same kid, other key
		func() error { k.rsa, err = authntest.NewRSA("rsa-1"); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// start returns an authenticator over srv's set, stopped with the test.
func start(t *testing.T, srv *authntest.Server, cfg authn.Config) *authn.Authenticator {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if cfg.Sets == nil {
		cfg.Sets = []authn.KeySet{{URL: srv.URL()}}
	}
	if cfg.HeaderPrefix == "" {
		cfg.HeaderPrefix = "Bearer"
	}
	a, err := authn.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func sign(t *testing.T, k *authntest.Key, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := k.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func signAs(t *testing.T, k *authntest.Key, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := k.SignAs(kid, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// refused checks err is an *authn.Error with status, code and a message
// containing msg.
func refused(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	var e *authn.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a refusal %d %s %q, got %v", status, code, msg, err)
	}
	if e.Status != status || e.Code != code || !strings.Contains(e.Message, msg) {
		t.Fatalf("want %d %s %q, got %d %s %q (%v)", status, code, msg, e.Status, e.Code, e.Message, errors.Unwrap(e))
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed, k.rsa)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})

	now := time.Now()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := authntest.Claims("u1", time.Hour)
		if edit != nil {
			edit(c)
		}
		return c
	}
	edPub := k.ed.JWK()["x"].(string)
	hs256 := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	hs256.Header["kid"] = "ed-1"
	// Algorithm confusion: the published public key used as an HMAC secret.
	confused, err := hs256.SignedString([]byte(edPub))
	if err != nil {
		t.Fatal(err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil))
	none.Header["kid"] = "ed-1"
	unsigned, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	noKid, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(nil)).SignedString(ed25519PrivOf(t))
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		header http.Header
		code   string // "" passes, as subject sub ("" for anonymous)
		msg    string
	}{
		{"EdDSA", bearer(sign(t, k.ed, claims(nil))), "", "u1"},
		{"RS256", bearer(sign(t, k.rsa, claims(nil))), "", "u1"},
		{"lower-case scheme", http.Header{"Authorization": {"bearer " + sign(t, k.ed, claims(nil))}}, "", "u1"},
		{"expired within the leeway", bearer(sign(t, k.ed, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() }))), "", "u1"},
		{"anonymous", http.Header{}, "", ""},
		{"empty header is anonymous", http.Header{"Authorization": {" "}}, "", ""},
		{"expired", bearer(sign(t, k.ed, authntest.Claims("u1", -time.Hour))), authn.CodeUnauthenticated, "token expired"},
		{"not valid yet", bearer(sign(t, k.ed, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }))), authn.CodeUnauthenticated, "not valid yet"},
		{"issued in the future", bearer(sign(t, k.ed, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() }))), authn.CodeUnauthenticated, "issued in the future"},
		{"no exp", bearer(sign(t, k.ed, claims(func(c jwt.MapClaims) { delete(c, "exp") }))), authn.CodeUnauthenticated, "token without exp"},
		{"wrong signature", bearer(sign(t, k.edOther, claims(nil))), authn.CodeUnauthenticated, "invalid token"},
		{"tampered payload", bearer(tamper(t, sign(t, k.ed, claims(nil)))), authn.CodeUnauthenticated, "invalid token"},
		{"RS256 under an Ed25519 kid", bearer(signAs(t, k.rsa, "ed-1", claims(nil))), authn.CodeUnauthenticated, "does not fit its key"},
		{"HS256 with the public key as secret", bearer(confused), authn.CodeUnauthenticated, "does not fit its key"},
		{"alg none", bearer(unsigned), authn.CodeUnauthenticated, "algorithm not accepted"},
		{"no kid, fitting key", bearer(signAs(t, k.ed, "", claims(nil))), "", "u1"},
		{"no kid, unknown key", bearer(noKid), authn.CodeUnauthenticated, "invalid token signature"},
		{"not a JWT", bearer("abc"), authn.CodeUnauthenticated, "malformed token"},
		{"other scheme", http.Header{"Authorization": {"Basic dTpw"}}, authn.CodeUnauthenticated, `must be "Bearer <token>"`},
		{"scheme alone", http.Header{"Authorization": {"Bearer"}}, authn.CodeUnauthenticated, `must be "Bearer <token>"`},
		{"two headers", http.Header{"Authorization": {"Bearer " + sign(t, k.ed, claims(nil)), "Bearer x"}}, authn.CodeUnauthenticated, "more than one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := a.Authenticate(context.Background(), tc.header)
			if tc.code != "" {
				refused(t, err, http.StatusUnauthorized, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tc.msg == "") != (c == nil) || c.Subject() != tc.msg {
				t.Fatalf("claims %v, want subject %q", c, tc.msg)
			}
		})
	}
}

// ed25519PrivOf returns a fresh Ed25519 private key.
func ed25519PrivOf(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// tamper changes the payload of a signed token, keeping its signature.
func tamper(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","exp":4102444800}`))
	return parts[0] + "." + payload + "." + parts[2]
}

func TestUnknownKidFetchesOnceThenIsRefused(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})
	ctx := context.Background()
	if _, err := a.Authenticate(ctx, bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))); err != nil {
		t.Fatal(err)
	}
	if n := srv.Fetches(); n != 1 {
		t.Fatalf("%d fetches at start, want 1", n)
	}
	unknown := bearer(sign(t, k.rsa, authntest.Claims("u1", time.Hour)))
	_, err := a.Authenticate(ctx, unknown)
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	if n := srv.Fetches(); n != 2 {
		t.Fatalf("%d fetches after an unknown kid, want 2", n)
	}
	for range 5 {
		_, err = a.Authenticate(ctx, unknown)
		refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	}
	if n := srv.Fetches(); n != 2 {
		t.Fatalf("%d fetches after more unknown kids within the gap, want 2", n)
	}
}

func TestUnknownKidFetchesAgainAfterTheGap(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	const gap = 200 * time.Millisecond
	a := start(t, srv, authn.Config{MinRefreshGap: gap})
	unknown := bearer(sign(t, k.rsa, authntest.Claims("u1", time.Hour)))
	for range 2 {
		_, err := a.Authenticate(context.Background(), unknown)
		refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	}
	if n := srv.Fetches(); n != 2 {
		t.Fatalf("%d fetches, want 2 (start, first unknown kid)", n)
	}
	time.Sleep(gap + 50*time.Millisecond)
	_, err := a.Authenticate(context.Background(), unknown)
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	if n := srv.Fetches(); n != 3 {
		t.Fatalf("%d fetches after the gap, want 3", n)
	}
}

func TestKeyAddedAfterStartIsPickedUpOnFirstUse(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})
	if _, err := a.Authenticate(context.Background(), bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))); err != nil {
		t.Fatal(err)
	}
	srv.Add(k.rsa)
	c, err := a.Authenticate(context.Background(), bearer(sign(t, k.rsa, authntest.Claims("u2", time.Hour))))
	if err != nil || c.Subject() != "u2" {
		t.Fatalf("token of the new key: %v %v", c, err)
	}
	if n := srv.Fetches(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestRequire(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{Require: true})
	_, err := a.Authenticate(context.Background(), http.Header{})
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "authentication required")
	if _, err := a.Authenticate(context.Background(), bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))); err != nil {
		t.Fatal(err)
	}
}

func TestCustomHeaderWithoutPrefix(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := authn.New(ctx, authn.Config{Sets: []authn.KeySet{{URL: srv.URL()}}, HeaderName: "X-Token", Require: true})
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, k.ed, authntest.Claims("u1", time.Hour))
	if c, err := a.Authenticate(ctx, http.Header{"X-Token": {tok}}); err != nil || c.Subject() != "u1" {
		t.Fatalf("%v %v", c, err)
	}
	_, err = a.Authenticate(ctx, bearer(tok)) // Authorization is not the configured header
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "authentication required")
}

func TestKeysUnavailableUntilTheFirstFetch(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	srv.SetFailing(true)
	a := start(t, srv, authn.Config{RetryInterval: 50 * time.Millisecond})
	tok := bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))
	_, err := a.Authenticate(context.Background(), tok)
	refused(t, err, http.StatusServiceUnavailable, authn.CodeUnavailable, "not been fetched yet")
	if c, err := a.Authenticate(context.Background(), http.Header{}); err != nil || c != nil {
		t.Fatalf("anonymous request while the keys are unavailable: %v %v", c, err)
	}
	srv.SetFailing(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := a.Authenticate(context.Background(), tok)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keys never fetched after the set came back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFailedRefreshKeepsTheKnownKeys(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})
	valid := bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))
	if _, err := a.Authenticate(context.Background(), valid); err != nil {
		t.Fatal(err)
	}
	srv.SetFailing(true)
	_, err := a.Authenticate(context.Background(), bearer(sign(t, k.rsa, authntest.Claims("u1", time.Hour))))
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	if srv.Fetches() != 2 {
		t.Fatalf("%d fetches, want 2", srv.Fetches())
	}
	if _, err := a.Authenticate(context.Background(), valid); err != nil {
		t.Fatalf("known key after a failed refresh: %v", err)
	}
}

func TestAlgorithmsNarrowTheSet(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed, k.rsa)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{Sets: []authn.KeySet{{URL: srv.URL(), Algorithms: []string{authn.AlgEdDSA}}}})
	if _, err := a.Authenticate(context.Background(), bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))); err != nil {
		t.Fatal(err)
	}
	_, err := a.Authenticate(context.Background(), bearer(sign(t, k.rsa, authntest.Claims("u1", time.Hour))))
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	for _, alg := range []string{"none", "HS1", ""} {
		if _, err := authn.New(context.Background(), authn.Config{Sets: []authn.KeySet{{URL: srv.URL(), Algorithms: []string{alg}}}}); err == nil {
			t.Fatalf("algorithm %q accepted for a key set", alg)
		}
	}
}

// TestUnusableKeysAreSkipped publishes keys no token may be verified
// with next to a good one: they are ignored, and tokens naming them are
// refused as signed by an unknown key. The oct key is usable: it verifies
// HS256.
func TestUnusableKeysAreSkipped(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	srv := authntest.NewServer(k.ed)
	t.Cleanup(srv.Close)
	secret := []byte("0123456789abcdef0123456789abcdef")
	srv.AddRaw(map[string]any{"kty": "oct", "k": base64.RawURLEncoding.EncodeToString(secret), "kid": "hmac", "alg": "HS256"})
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	srv.AddRaw(map[string]any{"kty": "RSA", "kid": "weak", "n": b64(weak.N.Bytes()), "e": b64(big.NewInt(int64(weak.E)).Bytes())})
	enc := k.rsa.JWK()
	enc["kid"], enc["use"] = "enc", "enc"
	srv.AddRaw(enc)
	mislabelled := k.rsa.JWK()
	mislabelled["kid"], mislabelled["alg"] = "mislabelled", "EdDSA"
	srv.AddRaw(mislabelled)
	a := start(t, srv, authn.Config{})

	if _, err := a.Authenticate(context.Background(), bearer(sign(t, k.ed, authntest.Claims("u1", time.Hour)))); err != nil {
		t.Fatalf("the usable key: %v", err)
	}
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, authntest.Claims("u1", time.Hour))
	hs.Header["kid"] = "hmac"
	hmacTok, err := hs.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = a.Authenticate(context.Background(), bearer(hmacTok)); err != nil {
		t.Fatalf("HS256 with the oct key: %v", err)
	}
	weakTok := jwt.NewWithClaims(jwt.SigningMethodRS256, authntest.Claims("u1", time.Hour))
	weakTok.Header["kid"] = "weak"
	s, err := weakTok.SignedString(weak)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(context.Background(), bearer(s))
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	for _, kid := range []string{"enc", "mislabelled"} {
		_, err = a.Authenticate(context.Background(), bearer(signAs(t, k.rsa, kid, authntest.Claims("u1", time.Hour))))
		refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "unknown key")
	}
}

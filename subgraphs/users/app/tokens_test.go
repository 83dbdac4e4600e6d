package app

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// writePrivateKey stores key as a PKCS #8 PEM file, as
// `openssl genpkey` writes it, and returns the path.
func writePrivateKey(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// otherService is how products and orders verify tokens with
// TOKEN_JWKS_URL: the shared configuration and authenticator they build.
func otherService(t *testing.T, jwksURL string) *auth.Authenticator {
	t.Helper()
	env := config.FromMap(map[string]string{"API_SECRET": testSecret, "TOKEN_JWKS_URL": jwksURL})
	c := service.LoadCommon(env, "orders", ":4003")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	return c.Authenticator(slog.New(slog.DiscardHandler))
}

func verifyAt(a *auth.Authenticator, tok string) (string, error) {
	p := a.Principal(context.Background(), http.Header{"Authorization": {"Bearer " + tok}})
	return p.UserID, p.TokenErr
}

// TestAsymmetricTokens: users signs with its Ed25519 or RSA key, names the
// key in the token header, publishes the public key at
// /.well-known/jwks.json, and another service verifies the token through
// that URL, while HS256 tokens signed with API_SECRET (which every service
// used to hold) and unsigned tokens are refused everywhere.
func TestAsymmetricTokens(t *testing.T) {
	t.Parallel()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		key crypto.Signer
		alg string
		kty string
	}{"EdDSA": {ed, "EdDSA", "OKP"}, "RS256": {rk, "RS256", "RSA"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := start(t, options{vars: map[string]string{
				"TOKEN_SIGNING_KEY_FILE": writePrivateKey(t, c.key), "TOKEN_KEY_ID": "k-" + name,
			}})
			s := register(t, in.URL, "asym_"+name, "password", nil)
			h, _, err := jwt.NewParser().ParseUnverified(s.Token, &auth.Claims{})
			if err != nil || h.Header["alg"] != c.alg || h.Header["kid"] != "k-"+name {
				t.Fatalf("token header %v (%v), want alg %s kid k-%s", h.Header, err, c.alg, name)
			}
			set := fetchJWKS(t, in.URL)
			if len(set) != 1 || set[0]["kty"] != c.kty || set[0]["alg"] != c.alg || set[0]["kid"] != "k-"+name || set[0]["use"] != "sig" || set[0]["d"] != nil {
				t.Fatalf("jwks = %v", set)
			}

			other := otherService(t, in.URL+JWKSPath)
			if id, err := verifyAt(other, s.Token); err != nil || id != s.User.ID {
				t.Fatalf("another service verifying users' token: %q, %v", id, err)
			}
			me := decode[struct {
				Me userJSON `json:"me"`
			}](t, gql(t, in.URL, `{ me { _id } }`, nil, bearer(s.Token)))
			if me.Me.ID != s.User.ID {
				t.Fatalf("me = %+v", me.Me)
			}

			forged := map[string]string{
				"HS256 with API_SECRET": mustHS256(t, s.User.ID),
				"alg none":              mustNone(t, s.User.ID, "k-"+name),
			}
			for what, tok := range forged {
				if _, err := verifyAt(other, tok); !errors.Is(err, auth.ErrInvalidToken) {
					t.Errorf("%s at another service: %v", what, err)
				}
				if r := gql(t, in.URL, `{ me { _id } }`, nil, bearer(tok)); r.code() != "UNAUTHENTICATED" {
					t.Errorf("%s at users: %s %+v", what, r.Data, r.Errors)
				}
			}
		})
	}
}

// TestTokenKeyRotation: users restarted with a new current key and the
// old one as previous still publishes and accepts the old key, so tokens
// issued before the rotation keep working everywhere; once the old key is
// removed they stop.
func TestTokenKeyRotation(t *testing.T) {
	t.Parallel()
	_, oldKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	oldFile, newFile := writePrivateKey(t, oldKey), writePrivateKey(t, newKey)
	db := testenv.Name("users")
	before := start(t, options{db: db, vars: map[string]string{"TOKEN_SIGNING_KEY_FILE": oldFile}})
	s := register(t, before.URL, "rotating", "password", nil)

	during := start(t, options{db: db, vars: map[string]string{
		"TOKEN_SIGNING_KEY_FILE": newFile, "TOKEN_PREVIOUS_KEY_FILES": oldFile,
	}})
	if n := len(fetchJWKS(t, during.URL)); n != 2 {
		t.Fatalf("during the rotation %d keys are published, want 2", n)
	}
	other := otherService(t, during.URL+JWKSPath)
	if id, err := verifyAt(other, s.Token); err != nil || id != s.User.ID {
		t.Fatalf("token of the previous key during the rotation: %q, %v", id, err)
	}
	if r := gql(t, during.URL, `{ me { _id } }`, nil, bearer(s.Token)); r.code() != "" {
		t.Fatalf("users refuses the previous key's token: %+v", r.Errors)
	}
	fresh := decode[struct {
		S session `json:"login"`
	}](t, gql(t, during.URL, loginMutation, map[string]any{"input": map[string]any{"username": "rotating", "password": "password"}}, nil)).S
	if h, _, _ := jwt.NewParser().ParseUnverified(fresh.Token, &auth.Claims{}); h == nil || h.Header["alg"] != "RS256" {
		t.Fatalf("token after the rotation: %v", h)
	}
	if _, err := verifyAt(other, fresh.Token); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}

	after := start(t, options{db: db, vars: map[string]string{"TOKEN_SIGNING_KEY_FILE": newFile}})
	if _, err := verifyAt(otherService(t, after.URL+JWKSPath), s.Token); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("token of the removed key: %v", err)
	}
	if r := gql(t, after.URL, `{ me { _id } }`, nil, bearer(s.Token)); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("users accepts the removed key's token: %s", r.Data)
	}
}

// TestNoJWKSWithHS256: the shared-secret default publishes nothing.
func TestNoJWKSWithHS256(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	resp, err := http.Get(in.URL + JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET %s with HS256 = %d, want 404", JWKSPath, resp.StatusCode)
	}
}

func fetchJWKS(t *testing.T, base string) []map[string]any {
	t.Helper()
	resp, err := http.Get(base + JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", JWKSPath, resp.StatusCode)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	return set.Keys
}

func mustHS256(t *testing.T, userID string) string {
	t.Helper()
	tok, err := auth.NewTokens(testSecret, time.Hour).Issue(auth.Identity{UserID: userID})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustNone(t *testing.T, userID, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, auth.Claims{UserID: userID, RegisteredClaims: jwt.RegisteredClaims{
		Subject: userID, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
	}})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

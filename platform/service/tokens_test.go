package service

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
)

// keyFiles writes an Ed25519 and an RSA key pair as PEM files.
type keyFiles struct {
	edPriv, edPub, rsaPriv, rsaPub string
	ed                             ed25519.PrivateKey
	rsa                            *rsa.PrivateKey
}

func writeKeys(t *testing.T) keyFiles {
	t.Helper()
	dir := t.TempDir()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f := keyFiles{ed: ed, rsa: rk}
	der, err := x509.MarshalPKCS8PrivateKey(ed)
	f.edPriv = write("ed.pem", "PRIVATE KEY", der, err)
	der, err = x509.MarshalPKIXPublicKey(ed.Public())
	f.edPub = write("ed.pub", "PUBLIC KEY", der, err)
	der, err = x509.MarshalPKCS8PrivateKey(rk)
	f.rsaPriv = write("rsa.pem", "PRIVATE KEY", der, err)
	der, err = x509.MarshalPKIXPublicKey(rk.Public())
	f.rsaPub = write("rsa.pub", "PUBLIC KEY", der, err)
	return f
}

func hs256(t *testing.T, secret string) string {
	t.Helper()
	tok, err := auth.NewTokens(secret, time.Hour).Issue(auth.Identity{UserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func verifyWith(c Common, tok string) (string, error) {
	p := c.Authenticator(slog.New(slog.DiscardHandler)).Principal(context.Background(), http.Header{"Authorization": {"Bearer " + tok}})
	return p.UserID, p.TokenErr
}

func TestTokensDefaultHS256(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "dev"})
	c := LoadCommon(env, "products", ":4002")
	if err := env.Err(); err != nil || c.Tokens.Asymmetric() {
		t.Fatalf("tokens %+v, %v", c.Tokens, err)
	}
	if id, err := verifyWith(c, hs256(t, "dev")); err != nil || id != "u1" {
		t.Fatalf("HS256 token: %q %v", id, err)
	}
}

// TestTokensIssuer: users signs with its key, names it in kid, publishes
// it with the previous keys, and verifies tokens of both; HS256 tokens
// signed with API_SECRET are refused once asymmetric tokens are on.
func TestTokensIssuer(t *testing.T) {
	t.Parallel()
	k := writeKeys(t)
	env := config.FromMap(map[string]string{
		"API_SECRET": "dev", "TOKEN_SIGNING_KEY_FILE": k.edPriv, "TOKEN_KEY_ID": "2026-01",
		"TOKEN_PREVIOUS_KEY_FILES": "2025-12=" + k.rsaPriv,
		// A configuration shared by every service may carry the
		// verifiers' settings; users verifies with its own keys.
		"TOKEN_JWKS_URL": "http://users:4001/.well-known/jwks.json",
	})
	c := LoadIssuerCommon(env, "users", ":4001")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	iss, published, err := c.TokenIssuer(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(published) != 2 || published[0].ID != "2026-01" || published[0].Alg != auth.AlgEdDSA || published[1].ID != "2025-12" || published[1].Alg != auth.AlgRS256 {
		t.Fatalf("published %+v", published)
	}
	tok, err := iss.Issue(auth.Identity{UserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if h, _, err := jwt.NewParser().ParseUnverified(tok, &auth.Claims{}); err != nil || h.Header["kid"] != "2026-01" || h.Header["alg"] != "EdDSA" {
		t.Fatalf("header %v, %v", h, err)
	}
	prev, err := auth.NewKeyIssuer(k.rsa, "2025-12", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	prevTok, err := prev.Issue(auth.Identity{UserID: "u-prev"})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := verifyWith(c, tok); err != nil || id != "u1" {
		t.Fatalf("current key: %q %v", id, err)
	}
	if id, err := verifyWith(c, prevTok); err != nil || id != "u-prev" {
		t.Fatalf("previous key: %q %v", id, err)
	}
	if _, err := verifyWith(c, hs256(t, "dev")); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("HS256 token in asymmetric mode: %v", err)
	}
	if s := c.String(); !strings.Contains(s, "tokens=EdDSA,RS256") || strings.Contains(s, "PRIVATE") {
		t.Fatalf("String = %s", s)
	}
}

// TestTokensPublicKeyFiles: a service given users' public keys as files
// verifies users' tokens and nothing else.
func TestTokensPublicKeyFiles(t *testing.T) {
	t.Parallel()
	k := writeKeys(t)
	env := config.FromMap(map[string]string{
		"SHOP_ENV": "production", "ADMIN_API_KEY": goodAdminKey, "INTERNAL_API_SECRET": goodInternal,
		"TOKEN_PUBLIC_KEY_FILES": k.edPub + ", rsa-1=" + k.rsaPub,
	})
	c := LoadCommon(env, "orders", ":4003")
	if err := env.Err(); err != nil {
		t.Fatalf("production with asymmetric tokens and no API_SECRET: %v", err)
	}
	ed, err := auth.NewKeyIssuer(k.ed, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := auth.NewKeyIssuer(k.rsa, "rsa-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, iss := range []auth.Issuer{ed, rs} {
		tok, err := iss.Issue(auth.Identity{UserID: "u7"})
		if err != nil {
			t.Fatal(err)
		}
		if id, err := verifyWith(c, tok); err != nil || id != "u7" {
			t.Fatalf("verify: %q %v", id, err)
		}
	}
	// The same token minted by a service holding only API_SECRET and the
	// public key is refused.
	pub, err := os.ReadFile(k.edPub)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"HS256 with a secret": hs256(t, goodAPISecret), "HS256 with the public key": func() string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{UserID: "u7", RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString(pub)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()} {
		if _, err := verifyWith(c, tok); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTokensConfigProblems(t *testing.T) {
	t.Parallel()
	k := writeKeys(t)
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(k.edPriv)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		issuer bool
		vars   map[string]string
		want   string
	}{
		{"HS256 with a JWK set", false, map[string]string{"TOKEN_JWKS_URL": "http://users/jwks", "TOKEN_ALGORITHMS": "EdDSA,HS256"}, "HS256 is never accepted with asymmetric tokens"},
		{"none", false, map[string]string{"TOKEN_JWKS_URL": "http://users/jwks", "TOKEN_ALGORITHMS": "none"}, `"none" is not HS256, EdDSA or RS256`},
		{"EdDSA without keys", false, map[string]string{"TOKEN_ALGORITHMS": "EdDSA"}, "needs public keys"},
		{"not a URL", false, map[string]string{"TOKEN_JWKS_URL": "users:4001/jwks"}, "is not an http(s) URL"},
		{"URL and files", false, map[string]string{"TOKEN_JWKS_URL": "http://users/jwks", "TOKEN_PUBLIC_KEY_FILES": k.edPub}, "not both"},
		{"bad key file", false, map[string]string{"TOKEN_PUBLIC_KEY_FILES": bad}, "TOKEN_PUBLIC_KEY_FILES: " + bad},
		{"missing key file", false, map[string]string{"TOKEN_PUBLIC_KEY_FILES": bad + ".none"}, "TOKEN_PUBLIC_KEY_FILES: open"},
		{"key of an unaccepted algorithm", false, map[string]string{"TOKEN_PUBLIC_KEY_FILES": k.rsaPub, "TOKEN_ALGORITHMS": "EdDSA"}, "which TOKEN_ALGORITHMS [EdDSA] does not accept"},
		{"same kid twice", false, map[string]string{"TOKEN_PUBLIC_KEY_FILES": "a=" + k.edPub + ",a=" + k.rsaPub}, `two keys with id "a"`},
		{"signing key twice", true, map[string]string{"TOKEN_SIGNING_KEY": string(keyPEM), "TOKEN_SIGNING_KEY_FILE": k.edPriv}, "set TOKEN_SIGNING_KEY or TOKEN_SIGNING_KEY_FILE, not both"},
		{"signing key not PEM", true, map[string]string{"TOKEN_SIGNING_KEY_FILE": bad}, "TOKEN_SIGNING_KEY: no PEM block"},
		{"public key to sign", true, map[string]string{"TOKEN_SIGNING_KEY_FILE": k.edPub}, "TOKEN_SIGNING_KEY: PEM block \"PUBLIC KEY\""},
		{"previous without current", true, map[string]string{"TOKEN_PREVIOUS_KEY_FILES": k.rsaPub}, "TOKEN_PREVIOUS_KEY_FILES needs TOKEN_SIGNING_KEY_FILE"},
		{"previous is current", true, map[string]string{"TOKEN_SIGNING_KEY_FILE": k.edPriv, "TOKEN_PREVIOUS_KEY_FILES": k.edPub}, "two keys with id"},
		{"issuer key unaccepted", true, map[string]string{"TOKEN_SIGNING_KEY_FILE": k.rsaPriv, "TOKEN_ALGORITHMS": "EdDSA"}, "RS256 key, which TOKEN_ALGORITHMS [EdDSA] does not accept"},
		{"refresh", false, map[string]string{"TOKEN_JWKS_URL": "http://users/jwks", "TOKEN_JWKS_REFRESH": "0s"}, "TOKEN_JWKS_REFRESH must be positive"},
		{"HS256 needs API_SECRET", false, map[string]string{"API_SECRET": ""}, "API_SECRET is required"},
		{"development needs API_SECRET", false, map[string]string{"API_SECRET": "", "TOKEN_JWKS_URL": "http://users/jwks"}, "API_SECRET is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"API_SECRET": "dev"}
			for k, v := range c.vars {
				vars[k] = v
			}
			env := config.FromMap(vars)
			if c.issuer {
				LoadIssuerCommon(env, "users", ":4001")
			} else {
				LoadCommon(env, "products", ":4002")
			}
			if err := env.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

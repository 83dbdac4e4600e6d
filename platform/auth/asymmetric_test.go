package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testKeys generates each key type once per test binary: RSA generation
// takes a while.
var testKeys = sync.OnceValue(func() struct {
	ed, ed2 ed25519.PrivateKey
	rsa     *rsa.PrivateKey
} {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	_, ed2, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return struct {
		ed, ed2 ed25519.PrivateKey
		rsa     *rsa.PrivateKey
	}{ed, ed2, r}
})

func mustIssuer(t *testing.T, priv crypto.Signer, kid string) *KeyIssuer {
	t.Helper()
	i, err := NewKeyIssuer(priv, kid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func mustVerifier(t *testing.T, src KeySource, algs ...string) *KeyVerifier {
	t.Helper()
	if len(algs) == 0 {
		algs = []string{AlgEdDSA, AlgRS256}
	}
	v, err := NewKeyVerifier(src, algs)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sign makes a token with any header and method, as an attacker would.
func sign(t *testing.T, m jwt.SigningMethod, key any, header map[string]any, c Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validClaims(id string) Claims {
	return mustClaims(id, time.Now())
}

func mustClaims(id string, now time.Time) Claims {
	c, err := newClaims(Identity{UserID: id}, now, time.Hour)
	if err != nil {
		panic(err)
	}
	return c
}

func TestKeyIssuerRoundTrip(t *testing.T) {
	t.Parallel()
	k := testKeys()
	for name, c := range map[string]struct {
		priv crypto.Signer
		alg  string
	}{"Ed25519": {k.ed, AlgEdDSA}, "RSA": {k.rsa, AlgRS256}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			iss := mustIssuer(t, c.priv, "")
			want, _ := Thumbprint(c.priv.Public())
			if iss.Key().ID != want || iss.Key().Alg != c.alg {
				t.Fatalf("key = %+v, want id %s alg %s", iss.Key(), want, c.alg)
			}
			tok, err := iss.Issue(Identity{UserID: "u1", Scopes: []string{ScopeManageUsers}, Version: 2})
			if err != nil {
				t.Fatal(err)
			}
			var claims Claims
			parsed, _, err := jwt.NewParser().ParseUnverified(tok, &claims)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Header["kid"] != want || parsed.Header["alg"] != c.alg || claims.UserID != "u1" || claims.Subject != "u1" {
				t.Fatalf("header %v claims %+v", parsed.Header, claims)
			}
			keys, err := NewStaticKeys(iss.Key())
			if err != nil {
				t.Fatal(err)
			}
			if id, err := mustVerifier(t, keys).Verify(context.Background(), tok); err != nil || id.UserID != "u1" || !slices.Equal(id.Scopes, []string{ScopeManageUsers}) || id.Version != 2 {
				t.Fatalf("Verify = %+v, %v", id, err)
			}
			// Pinned to the other algorithm only, the verifier refuses it.
			other := AlgRS256
			if c.alg == AlgRS256 {
				other = AlgEdDSA
			}
			if _, err := mustVerifier(t, keys, other).Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("pinned to %s: err = %v", other, err)
			}
		})
	}
}

// TestKeyVerifierRefuses: in asymmetric mode only tokens signed by a
// listed key with that key's own algorithm pass.
func TestKeyVerifierRefuses(t *testing.T) {
	t.Parallel()
	k := testKeys()
	ed := mustIssuer(t, k.ed, "ed")
	rs := mustIssuer(t, k.rsa, "rs")
	keys, err := NewStaticKeys(ed.Key(), rs.Key())
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, keys)
	pubPEM, err := x509.MarshalPKIXPublicKey(k.ed.Public())
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubPEM})
	expired := mustClaims("u1", time.Now().Add(-2*time.Hour))
	cases := map[string]string{
		"HS256 with a shared secret":       sign(t, jwt.SigningMethodHS256, []byte(secret), map[string]any{"kid": "ed"}, validClaims("u1")),
		"HS256 with the public key as key": sign(t, jwt.SigningMethodHS256, pemBytes, map[string]any{"kid": "ed"}, validClaims("u1")),
		"HS256 with the raw public key":    sign(t, jwt.SigningMethodHS256, []byte(k.ed.Public().(ed25519.PublicKey)), map[string]any{"kid": "ed"}, validClaims("u1")),
		"alg none":                         sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, map[string]any{"kid": "ed"}, validClaims("u1")),
		"no kid":                           sign(t, jwt.SigningMethodEdDSA, k.ed, nil, validClaims("u1")),
		"unknown kid":                      sign(t, jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": "nope"}, validClaims("u1")),
		"RS256 under the Ed25519 kid":      sign(t, jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "ed"}, validClaims("u1")),
		"EdDSA under the RSA kid":          sign(t, jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": "rs"}, validClaims("u1")),
		"unlisted key, listed kid":         sign(t, jwt.SigningMethodEdDSA, k.ed2, map[string]any{"kid": "ed"}, validClaims("u1")),
		"PS256 by the RSA key":             sign(t, jwt.SigningMethodPS256, k.rsa, map[string]any{"kid": "rs"}, validClaims("u1")),
		"tampered":                         tamperSignature(mustIssue(t, ed, "u1")),
		"no expiry":                        sign(t, jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": "ed"}, Claims{UserID: "u1"}),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if id, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", id, err)
			}
		})
	}
	if _, err := v.Verify(context.Background(), sign(t, jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": "ed"}, expired)); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("expired: %v", err)
	}
	for _, algs := range [][]string{{AlgHS256}, {AlgEdDSA, "none"}, {"HS512"}, nil} {
		if _, err := NewKeyVerifier(keys, algs); err == nil {
			t.Errorf("NewKeyVerifier(%v) accepted", algs)
		}
	}
}

func mustIssue(t *testing.T, i Issuer, id string) string {
	t.Helper()
	tok, err := i.Issue(Identity{UserID: id})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestParseKeysPEM(t *testing.T) {
	t.Parallel()
	k := testKeys()
	pkcs8 := func(key any) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
	}
	pkix := func(key any) []byte {
		b, err := x509.MarshalPKIXPublicKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: b})
	}
	for name, data := range map[string][]byte{
		"ed25519 pkcs8": pkcs8(k.ed),
		"rsa pkcs8":     pkcs8(k.rsa),
		"rsa pkcs1":     pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.rsa)}),
	} {
		priv, err := ParsePrivateKeyPEM(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		pub, err := ParsePublicKeyPEM(data)
		if err != nil || !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(priv.Public()) {
			t.Errorf("%s: public half %v", name, err)
		}
	}
	for name, data := range map[string][]byte{"ed25519": pkix(k.ed.Public()), "rsa": pkix(k.rsa.Public())} {
		if _, err := ParsePublicKeyPEM(data); err != nil {
			t.Errorf("public %s: %v", name, err)
		}
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"ecdsa":       pkcs8(ec),
		"rsa 1024":    pkcs8(small),
		"garbage":     []byte("not pem"),
		"certificate": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}),
	} {
		if _, err := ParsePrivateKeyPEM(data); err == nil {
			t.Errorf("private %s accepted", name)
		}
	}
	if _, err := NewKey("", small.Public()); err == nil {
		t.Error("1024-bit RSA public key accepted")
	}
	if _, err := NewKey("", ec.Public()); err == nil {
		t.Error("ECDSA public key accepted")
	}
}

// TestThumbprint checks RFC 8037's example (appendix A.3).
func TestThumbprint(t *testing.T) {
	t.Parallel()
	x, err := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Thumbprint(ed25519.PublicKey(x))
	if err != nil || got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Fatalf("Thumbprint = %q, %v", got, err)
	}
}

func TestJWKRoundTripAndRefusals(t *testing.T) {
	t.Parallel()
	k := testKeys()
	for _, priv := range []crypto.Signer{k.ed, k.rsa} {
		key := mustIssuer(t, priv, "").Key()
		b, err := json.Marshal(key.JWK())
		if err != nil {
			t.Fatal(err)
		}
		var j JWK
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		if j.Use != "sig" || j.Kid != key.ID || j.Alg != key.Alg {
			t.Fatalf("jwk %s", b)
		}
		back, err := j.Key()
		if err != nil || back.ID != key.ID || back.Alg != key.Alg || !back.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public) {
			t.Fatalf("round trip of %s: %+v, %v", b, back, err)
		}
	}
	ed := mustIssuer(t, k.ed, "e").Key().JWK()
	with := func(f func(*JWK)) JWK { j := ed; f(&j); return j }
	for name, j := range map[string]JWK{
		"oct":           {Kty: "oct", Kid: "s", Alg: AlgHS256, Use: "sig"},
		"encryption":    with(func(j *JWK) { j.Use = "enc" }),
		"alg mismatch":  with(func(j *JWK) { j.Alg = AlgHS256 }),
		"rs256 on okp":  with(func(j *JWK) { j.Alg = AlgRS256 }),
		"no kid":        with(func(j *JWK) { j.Kid = "" }),
		"other curve":   with(func(j *JWK) { j.Crv = "X25519" }),
		"short x":       with(func(j *JWK) { j.X = "AAAA" }),
		"rsa without n": {Kty: "RSA", Kid: "r", E: "AQAB"},
	} {
		if _, err := j.Key(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if ed.Kty != "OKP" || ed.Crv != "Ed25519" || ed.N != "" {
		t.Fatalf("ed25519 jwk = %+v", ed)
	}
}

package authn_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/authn/authntest"
)

// must returns v, or panics on err: key generation, signing and writing
// a temporary file fail only when the machine is broken.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestEveryKeyType signs a token with every algorithm of every key type,
// once naming the key (kid) and once not (the key is found by its type and
// alg), and verifies it against one set publishing all the keys. The RSA
// and oct keys are published without alg, so each verifies every
// algorithm of its family.
func TestEveryKeyType(t *testing.T) {
	t.Parallel()
	rsaKey := must(authntest.NewRSA("rsa"))
	rsaKey.NoAlg = true
	oct := authntest.NewHMAC("oct", []byte("the shop's API_SECRET, 32+ bytes long"))
	oct.NoAlg = true
	signers := []*authntest.Key{
		oct, oct.As("HS384"), oct.As("HS512"),
		rsaKey, rsaKey.As("RS384"), rsaKey.As("RS512"), rsaKey.As("PS256"), rsaKey.As("PS384"), rsaKey.As("PS512"),
		must(authntest.NewEC("p256", "ES256")), must(authntest.NewEC("p384", "ES384")), must(authntest.NewEC("p521", "ES512")),
		must(authntest.NewEd25519("ed")),
	}
	srv := authntest.NewServer(oct, rsaKey, signers[9], signers[10], signers[11], signers[12])
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})
	for _, k := range signers {
		for _, kid := range []string{k.ID, ""} {
			t.Run(k.Alg()+"/kid="+kid, func(t *testing.T) {
				t.Parallel()
				tok := must(k.SignAs(kid, authntest.Claims("u-"+k.Alg(), time.Hour)))
				c, err := a.Authenticate(context.Background(), bearer(tok))
				if err != nil || c.Subject() != "u-"+k.Alg() {
					t.Fatalf("%v %v", c, err)
				}
				// A forger's key of the same type and id fails.
				other := must(authntest.NewEd25519(kid))
				if k.Alg() != authn.AlgEdDSA {
					return
				}
				_, err = a.Authenticate(context.Background(), bearer(must(other.SignAs(kid, authntest.Claims("u1", time.Hour)))))
				refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "invalid token signature")
			})
		}
	}
}

// TestAlgorithmConfusion is the classic attack: a token signed with HMAC
// whose secret is a published public key. A public key never verifies
// HS256, whether the token names it or names no key at all; an HMAC
// key never verifies an asymmetric algorithm either.
func TestAlgorithmConfusion(t *testing.T) {
	t.Parallel()
	rsaKey := must(authntest.NewRSA("rsa"))
	rsaKey.NoAlg = true
	ec := must(authntest.NewEC("ec", "ES256"))
	srv := authntest.NewServer(rsaKey, ec)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})
	// The attacker knows the public key: as PEM, as published n.
	pub := must(x509.MarshalPKIXPublicKey(rsaKey.Public()))
	secrets := [][]byte{pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), pub, []byte(rsaKey.JWK()["n"].(string))}
	for i, secret := range secrets {
		for _, kid := range []string{"rsa", ""} {
			forged := must(authntest.NewHMAC(kid, secret).Sign(authntest.Claims("admin", time.Hour)))
			_, err := a.Authenticate(context.Background(), bearer(forged))
			want := "does not fit its key"
			if kid == "" {
				want = "no key verifies tokens of this algorithm"
			}
			if err == nil {
				t.Fatalf("secret %d, kid %q: HS256 token accepted", i, kid)
			}
			refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, want)
		}
	}

	// Next to an oct key, the RSA key still verifies no HS256 token, and
	// the oct key no RS256 one.
	oct := authntest.NewHMAC("oct", []byte("0123456789abcdef0123456789abcdef"))
	srv2 := authntest.NewServer(rsaKey, oct)
	t.Cleanup(srv2.Close)
	b := start(t, srv2, authn.Config{})
	forged := must(authntest.NewHMAC("", secrets[0]).Sign(authntest.Claims("admin", time.Hour)))
	_, err := b.Authenticate(context.Background(), bearer(forged))
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "invalid token signature")
	_, err = b.Authenticate(context.Background(), bearer(must(rsaKey.SignAs("oct", authntest.Claims("u1", time.Hour)))))
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "does not fit its key")
}

func TestIssuerAndAudience(t *testing.T) {
	t.Parallel()
	k := must(authntest.NewEd25519("ed"))
	srv := authntest.NewServer(k)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{Sets: []authn.KeySet{{URL: srv.URL(), Issuers: []string{"https://issuer.example"}, Audiences: []string{"shop", "admin"}}}})
	claims := func(iss string, aud any) jwt.MapClaims {
		c := authntest.Claims("u1", time.Hour)
		if iss != "" {
			c["iss"] = iss
		}
		if aud != nil {
			c["aud"] = aud
		}
		return c
	}
	cases := []struct {
		name   string
		claims jwt.MapClaims
		msg    string // "" passes
	}{
		{"issuer and audience", claims("https://issuer.example", "shop"), ""},
		{"audience in a list", claims("https://issuer.example", []string{"other", "admin"}), ""},
		{"wrong issuer", claims("https://evil.example", "shop"), "token issuer not accepted"},
		{"no issuer", claims("", "shop"), "token issuer not accepted"},
		{"wrong audience", claims("https://issuer.example", "other"), "token audience not accepted"},
		{"no audience", claims("https://issuer.example", nil), "token audience not accepted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := a.Authenticate(context.Background(), bearer(must(k.Sign(tc.claims))))
			if tc.msg != "" {
				refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, tc.msg)
				return
			}
			if err != nil || c.Subject() != "u1" {
				t.Fatalf("%v %v", c, err)
			}
		})
	}
}

// TestSameSetPerIssuer configures one set twice, once per issuer, as
// Apollo Router's issuer-per-set configuration does: tokens of either
// issuer pass, of a third not.
func TestSameSetPerIssuer(t *testing.T) {
	t.Parallel()
	k := must(authntest.NewEd25519("ed"))
	srv := authntest.NewServer(k)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{Sets: []authn.KeySet{
		{URL: srv.URL(), Issuers: []string{"https://one.example"}},
		{URL: srv.URL(), Issuers: []string{"https://two.example"}},
	}})
	for iss, msg := range map[string]string{"https://one.example": "", "https://two.example": "", "https://three.example": "token issuer not accepted"} {
		c := authntest.Claims("u1", time.Hour)
		c["iss"] = iss
		_, err := a.Authenticate(context.Background(), bearer(must(k.Sign(c))))
		if msg != "" {
			refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, msg)
		} else if err != nil {
			t.Errorf("issuer %s: %v", iss, err)
		}
	}
}

// TestUnknownAlgorithm: an alg no key type verifies is refused as such.
func TestUnknownAlgorithm(t *testing.T) {
	t.Parallel()
	k := must(authntest.NewEd25519("ed"))
	srv := authntest.NewServer(k)
	t.Cleanup(srv.Close)
	a := start(t, srv, authn.Config{})
	tok := must(k.Sign(authntest.Claims("u1", time.Hour)))
	parts := strings.Split(tok, ".")
	for _, alg := range []string{"HS1", "none", "", "ES256K"} {
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","kid":"ed"}`))
		_, err := a.Authenticate(context.Background(), bearer(header+"."+parts[1]+"."+parts[2]))
		refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "token algorithm not accepted")
	}
}

func TestClockSkew(t *testing.T) {
	t.Parallel()
	k := must(authntest.NewEd25519("ed"))
	srv := authntest.NewServer(k)
	t.Cleanup(srv.Close)
	strict := start(t, srv, authn.Config{ClockSkew: 5 * time.Second})
	lenient := start(t, srv, authn.Config{}) // 60 s
	c := authntest.Claims("u1", time.Hour)
	c["exp"] = time.Now().Add(-30 * time.Second).Unix()
	tok := bearer(must(k.Sign(c)))
	_, err := strict.Authenticate(context.Background(), tok)
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "token expired")
	if _, err := lenient.Authenticate(context.Background(), tok); err != nil {
		t.Fatalf("30 s past exp within the default 60 s skew: %v", err)
	}
	c["exp"] = time.Now().Add(-2 * time.Minute).Unix()
	_, err = lenient.Authenticate(context.Background(), bearer(must(k.Sign(c))))
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "token expired")
}

// TestFileSet reads a set holding the shop's API_SECRET as an oct key
// from a file: the kid-less HS256 tokens users issues pass, and the file
// is read again on every poll, so a rotated secret is picked up.
func TestFileSet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "jwks.json")
	old := authntest.NewHMAC("", []byte("dev-secret-of-the-shop-0123456789"))
	u := must(authntest.WriteFile(path, old))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := must(authn.New(ctx, authn.Config{Sets: []authn.KeySet{{URL: u, PollInterval: 50 * time.Millisecond}}, HeaderPrefix: "Bearer"}))
	oldTok := bearer(must(old.Sign(authntest.Claims("u1", time.Hour))))
	if c, err := a.Authenticate(ctx, oldTok); err != nil || c.Subject() != "u1" {
		t.Fatalf("HS256 token with the file's secret: %v %v", c, err)
	}
	rotated := authntest.NewHMAC("", []byte("the-rotated-secret-0123456789abcdef"))
	tmp := filepath.Join(dir, "jwks.json.new")
	must(authntest.WriteFile(tmp, rotated))
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	newTok := bearer(must(rotated.Sign(authntest.Claims("u2", time.Hour))))
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := a.Authenticate(ctx, newTok)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rotated secret never read: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := a.Authenticate(ctx, oldTok)
	refused(t, err, http.StatusUnauthorized, authn.CodeUnauthenticated, "invalid token signature")

	// A file that is missing: tokens wait for it (503), as for a set that
	// cannot be fetched.
	missing := must(authn.New(ctx, authn.Config{Sets: []authn.KeySet{{URL: "file://" + filepath.Join(dir, "none.json")}}, HeaderPrefix: "Bearer"}))
	_, err = missing.Authenticate(ctx, newTok)
	refused(t, err, http.StatusServiceUnavailable, authn.CodeUnavailable, "not been fetched yet")

	for _, bad := range []string{"file://relative/jwks.json", "ftp://host/jwks.json", "/etc/jwks.json"} {
		if _, err := authn.New(ctx, authn.Config{Sets: []authn.KeySet{{URL: bad}}}); err == nil {
			t.Errorf("URL %q accepted", bad)
		}
	}
}

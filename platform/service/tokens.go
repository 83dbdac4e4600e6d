package service

import (
	"context"
	"crypto"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
)

// Tokens is how a service verifies bearer tokens and, for users, signs
// them. HS256 with API_SECRET is the default (what `make run` and the
// seed operations use); asymmetric mode lets users alone sign, with an
// Ed25519 or RSA private key, while every other service verifies with the
// public keys users publishes.
//
//	TOKEN_ALGORITHMS         the accepted algorithms, pinned: HS256 (default) or, in
//	                         asymmetric mode, EdDSA and/or RS256 (default both); HS256
//	                         and "none" are never accepted in asymmetric mode
//	TOKEN_JWKS_URL           users' JWK set, e.g. http://users:4001/.well-known/jwks.json:
//	                         turns asymmetric mode on for a verifying service
//	TOKEN_PUBLIC_KEY_FILES   instead of TOKEN_JWKS_URL: PEM public keys, comma-separated,
//	                         each path or kid=path (kid default: the RFC 7638 thumbprint)
//	TOKEN_JWKS_REFRESH       age after which the fetched set is refreshed (default 5m)
//
// and on users only:
//
//	TOKEN_SIGNING_KEY        PEM private key (Ed25519 or RSA; usually TOKEN_SIGNING_KEY_FILE):
//	                         turns asymmetric mode on
//	TOKEN_KEY_ID             its kid (default: the RFC 7638 thumbprint)
//	TOKEN_PREVIOUS_KEY_FILES keys retired by a rotation, still published and accepted:
//	                         PEM files (public or private), each path or kid=path
type Tokens struct {
	// Algorithms are the accepted algorithms.
	Algorithms []string
	// JWKSURL is where a verifying service fetches users' keys.
	JWKSURL     string
	JWKSRefresh time.Duration
	// PublicKeys are keys from TOKEN_PUBLIC_KEY_FILES.
	PublicKeys []auth.Key
	// SigningKey, SigningKeyID and PreviousKeys are the issuer's (users').
	SigningKey   crypto.Signer
	SigningKeyID string
	PreviousKeys []auth.Key
}

// Asymmetric reports whether tokens are signed with private keys.
func (t Tokens) Asymmetric() bool { return !slices.Contains(t.Algorithms, auth.AlgHS256) }

// asymmetricSet reports whether the environment turns asymmetric mode on
// for a service (issuer: users).
func asymmetricSet(env *config.Env, issuer bool) bool {
	if issuer {
		return env.SecretSet("TOKEN_SIGNING_KEY")
	}
	return env.String("TOKEN_JWKS_URL", "") != "" || env.String("TOKEN_PUBLIC_KEY_FILES", "") != ""
}

// loadTokens reads the token settings. issuer is true for users, which
// signs tokens and verifies them with its own keys; it never fetches a
// JWK set, so the verifiers' variables (which a configuration shared by
// every service may set) are not read there.
func loadTokens(env *config.Env, issuer bool) Tokens {
	asym := asymmetricSet(env, issuer)
	def := []string{auth.AlgHS256}
	if asym {
		def = []string{auth.AlgEdDSA, auth.AlgRS256}
	}
	t := Tokens{Algorithms: parseAlgorithms(env, def, asym)}
	if issuer {
		if pemKey := env.Secret("TOKEN_SIGNING_KEY"); pemKey != "" {
			k, err := auth.ParsePrivateKeyPEM([]byte(pemKey))
			if err != nil {
				env.Problem("TOKEN_SIGNING_KEY: %v", err)
			}
			t.SigningKey = k
		}
		t.SigningKeyID = env.String("TOKEN_KEY_ID", "")
		t.PreviousKeys = readKeyFiles(env, "TOKEN_PREVIOUS_KEY_FILES")
		if !asym && len(t.PreviousKeys) > 0 {
			env.Problem("TOKEN_PREVIOUS_KEY_FILES needs TOKEN_SIGNING_KEY_FILE: previous keys belong to asymmetric tokens")
		}
		if t.SigningKey != nil {
			checkIssuerKeys(env, t)
		}
		return t
	}
	t.JWKSURL = env.String("TOKEN_JWKS_URL", "")
	t.JWKSRefresh = env.Duration("TOKEN_JWKS_REFRESH", auth.DefaultJWKSRefresh)
	t.PublicKeys = readKeyFiles(env, "TOKEN_PUBLIC_KEY_FILES")
	if t.JWKSURL != "" {
		if u, err := url.Parse(t.JWKSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			env.Problem("TOKEN_JWKS_URL: %q is not an http(s) URL", t.JWKSURL)
		}
		if len(t.PublicKeys) > 0 {
			env.Problem("set TOKEN_JWKS_URL or TOKEN_PUBLIC_KEY_FILES, not both")
		}
	}
	if t.JWKSRefresh <= 0 {
		env.Problem("TOKEN_JWKS_REFRESH must be positive, got %s", t.JWKSRefresh)
	}
	for _, k := range t.PublicKeys {
		if !slices.Contains(t.Algorithms, k.Alg) {
			env.Problem("TOKEN_PUBLIC_KEY_FILES: key %q is an %s key, which TOKEN_ALGORITHMS %v does not accept", k.ID, k.Alg, t.Algorithms)
		}
	}
	return t
}

// parseAlgorithms reads TOKEN_ALGORITHMS, refusing every mix that would
// let a token pick how it is checked.
func parseAlgorithms(env *config.Env, def []string, asym bool) []string {
	raw := env.List("TOKEN_ALGORITHMS", def)
	var algs []string
	for _, a := range raw {
		switch {
		case strings.EqualFold(a, auth.AlgHS256):
			a = auth.AlgHS256
		case strings.EqualFold(a, auth.AlgEdDSA):
			a = auth.AlgEdDSA
		case strings.EqualFold(a, auth.AlgRS256):
			a = auth.AlgRS256
		default:
			env.Problem("TOKEN_ALGORITHMS: %q is not HS256, EdDSA or RS256", a)
			continue
		}
		if !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	hs := slices.Contains(algs, auth.AlgHS256)
	switch {
	case len(algs) == 0:
		return def
	case asym && hs:
		env.Problem("TOKEN_ALGORITHMS: HS256 is never accepted with asymmetric tokens: a shared secret would let every service mint tokens, and a public key could be passed off as one")
	case !asym && !hs:
		env.Problem("TOKEN_ALGORITHMS %v needs public keys: set TOKEN_JWKS_URL or TOKEN_PUBLIC_KEY_FILES (users: TOKEN_SIGNING_KEY_FILE)", algs)
	}
	return algs
}

// readKeyFiles reads a comma-separated list of PEM key files, each "path"
// or "kid=path"; without a kid a key goes by its RFC 7638 thumbprint.
func readKeyFiles(env *config.Env, name string) []auth.Key {
	var keys []auth.Key
	for _, item := range env.List(name, nil) {
		kid, path, named := strings.Cut(item, "=")
		if !named {
			kid, path = "", item
		}
		b, err := os.ReadFile(path) //nolint:gosec // the operator names the file
		if err != nil {
			env.Problem("%s: %v", name, err)
			continue
		}
		pub, err := auth.ParsePublicKeyPEM(b)
		if err != nil {
			env.Problem("%s: %s: %v", name, path, err)
			continue
		}
		k, err := auth.NewKey(kid, pub)
		if err != nil {
			env.Problem("%s: %s: %v", name, path, err)
			continue
		}
		keys = append(keys, k)
	}
	if _, err := auth.NewStaticKeys(keys...); err != nil {
		env.Problem("%s: %v", name, err)
	}
	return keys
}

// checkIssuerKeys checks that users' keys fit together and the pinned
// algorithms.
func checkIssuerKeys(env *config.Env, t Tokens) {
	cur, err := auth.NewKey(t.SigningKeyID, t.SigningKey.Public())
	if err != nil {
		env.Problem("TOKEN_SIGNING_KEY: %v", err)
		return
	}
	all := append([]auth.Key{cur}, t.PreviousKeys...)
	if _, err := auth.NewStaticKeys(all...); err != nil {
		env.Problem("TOKEN_PREVIOUS_KEY_FILES: %v (the current key's id is %q)", err, cur.ID)
	}
	for _, k := range all {
		if !slices.Contains(t.Algorithms, k.Alg) {
			env.Problem("key %q is an %s key, which TOKEN_ALGORITHMS %v does not accept", k.ID, k.Alg, t.Algorithms)
		}
	}
}

// TokenIssuer returns what signs users' tokens, valid for ttl, and the
// public keys to publish (none with HS256, whose secret is never
// published). Only the users service, loaded with LoadIssuerCommon,
// issues tokens.
func (c Common) TokenIssuer(ttl time.Duration) (auth.Issuer, []auth.Key, error) {
	if !c.Tokens.Asymmetric() {
		return auth.NewTokens(c.APISecret, ttl), nil, nil
	}
	if c.Tokens.SigningKey == nil {
		return nil, nil, fmt.Errorf("token issuer: asymmetric tokens need TOKEN_SIGNING_KEY")
	}
	iss, err := auth.NewKeyIssuer(c.Tokens.SigningKey, c.Tokens.SigningKeyID, ttl)
	if err != nil {
		return nil, nil, fmt.Errorf("token issuer: %w", err)
	}
	return iss, append([]auth.Key{iss.Key()}, c.Tokens.PreviousKeys...), nil
}

// Authenticator returns the request authenticator the configuration
// describes: tokens checked with API_SECRET (HS256), or with public keys
// (users' own, the files given, or users' JWK set fetched and cached) and
// the admin key. log receives JWK set fetch failures. A configuration
// LoadCommon accepted always yields one; should a configuration built
// otherwise not, the authenticator refuses every token and the reason is
// logged, rather than letting tokens through.
func (c Common) Authenticator(log *slog.Logger) *auth.Authenticator {
	v, err := c.verifier(log)
	if err != nil {
		log.Error("no token verifier: every bearer token is refused", "err", err)
		v = refuseAll{err}
	}
	return &auth.Authenticator{Tokens: v, AdminKey: c.AdminAPIKey}
}

func (c Common) verifier(log *slog.Logger) (auth.Verifier, error) {
	if !c.Tokens.Asymmetric() {
		return auth.NewTokens(c.APISecret, 0), nil
	}
	var src auth.KeySource
	switch {
	case c.Tokens.SigningKey != nil:
		_, keys, err := c.TokenIssuer(0)
		if err != nil {
			return nil, err
		}
		if src, err = auth.NewStaticKeys(keys...); err != nil {
			return nil, fmt.Errorf("token verifier: %w", err)
		}
	case c.Tokens.JWKSURL != "":
		src = auth.NewRemoteKeys(c.Tokens.JWKSURL, auth.RemoteOptions{
			Algorithms: c.Tokens.Algorithms, Refresh: c.Tokens.JWKSRefresh, Log: log,
		})
	default:
		keys, err := auth.NewStaticKeys(c.Tokens.PublicKeys...)
		if err != nil {
			return nil, fmt.Errorf("token verifier: %w", err)
		}
		src = keys
	}
	v, err := auth.NewKeyVerifier(src, c.Tokens.Algorithms)
	if err != nil {
		return nil, fmt.Errorf("token verifier: %w", err)
	}
	return v, nil
}

// refuseAll is the verifier of a configuration that has none.
type refuseAll struct{ err error }

func (r refuseAll) Verify(context.Context, string) (auth.Identity, error) {
	return auth.Identity{}, fmt.Errorf("%w: %w", auth.ErrInvalidToken, r.err)
}

// describe summarizes the token settings for logs, without key material.
func (t Tokens) describe() string {
	s := "tokens=" + strings.Join(t.Algorithms, ",")
	switch {
	case t.SigningKey != nil:
		s += fmt.Sprintf(" signingKey=set previousKeys=%d", len(t.PreviousKeys))
	case t.JWKSURL != "":
		s += " jwks=" + t.JWKSURL
	case len(t.PublicKeys) > 0:
		s += fmt.Sprintf(" publicKeys=%d", len(t.PublicKeys))
	}
	return s
}

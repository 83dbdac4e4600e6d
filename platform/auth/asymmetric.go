package auth

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeyIssuer signs tokens with a private key (Ed25519 or RSA) and names
// the key in the token header (kid), so verifiers pick the matching
// public key and keys can be rotated.
type KeyIssuer struct {
	key    Key
	priv   crypto.Signer
	method jwt.SigningMethod
	ttl    time.Duration
	now    func() time.Time
}

// NewKeyIssuer returns an issuer signing with priv under key id kid (the
// RFC 7638 thumbprint of its public key when empty); tokens live ttl
// (24h when not positive).
func NewKeyIssuer(priv crypto.Signer, kid string, ttl time.Duration) (*KeyIssuer, error) {
	key, err := NewKey(kid, priv.Public())
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	method := jwt.SigningMethod(jwt.SigningMethodEdDSA)
	if key.Alg == AlgRS256 {
		method = jwt.SigningMethodRS256
	}
	return &KeyIssuer{key: key, priv: priv, method: method, ttl: ttl, now: time.Now}, nil
}

// Key returns the public key that verifies the issuer's tokens.
func (i *KeyIssuer) Key() Key { return i.key }

// Issue returns a token for id signed with the private key.
func (i *KeyIssuer) Issue(id Identity) (string, error) {
	c, err := newClaims(id, i.now(), i.ttl)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(i.method, c)
	t.Header["kid"] = i.key.ID
	s, err := t.SignedString(i.priv)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// KeySource finds the public key a token's kid names.
type KeySource interface {
	// Key returns the key with id kid, or an error matching ErrUnknownKey.
	Key(ctx context.Context, kid string) (Key, error)
}

// StaticKeys is a fixed set of keys by id: the keys users verifies its
// own tokens with, or public key files a service was given.
type StaticKeys map[string]Key

// NewStaticKeys returns the set of keys, refusing two keys with one id.
func NewStaticKeys(keys ...Key) (StaticKeys, error) {
	s := make(StaticKeys, len(keys))
	for _, k := range keys {
		if _, dup := s[k.ID]; dup {
			return nil, fmt.Errorf("two keys with id %q", k.ID)
		}
		s[k.ID] = k
	}
	return s, nil
}

// Key implements KeySource.
func (s StaticKeys) Key(_ context.Context, kid string) (Key, error) {
	k, ok := s[kid]
	if !ok {
		return Key{}, fmt.Errorf("%w %q", ErrUnknownKey, kid)
	}
	return k, nil
}

// KeyVerifier verifies asymmetric tokens against the public keys of a
// KeySource. The accepted algorithms are pinned by configuration and
// never include HS256 or "none": a token cannot make a public key serve
// as an HMAC secret (algorithm confusion), and each key verifies only the
// algorithm of its own type.
type KeyVerifier struct {
	keys KeySource
	algs []string
	now  func() time.Time
}

// NewKeyVerifier returns a verifier accepting tokens signed with one of
// algs (EdDSA, RS256) by a key of keys.
func NewKeyVerifier(keys KeySource, algs []string) (*KeyVerifier, error) {
	if len(algs) == 0 {
		return nil, errors.New("key verifier: no algorithms")
	}
	for _, a := range algs {
		if a != AlgEdDSA && a != AlgRS256 {
			return nil, fmt.Errorf("key verifier: algorithm %q: only %s and %s are verified with public keys", a, AlgEdDSA, AlgRS256)
		}
	}
	return &KeyVerifier{keys: keys, algs: slices.Clone(algs), now: time.Now}, nil
}

// Verify checks token as Tokens.Verify does, with the public key its kid
// names.
func (v *KeyVerifier) Verify(ctx context.Context, token string) (Identity, error) {
	return verify(token, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token names no key (kid)")
		}
		k, err := v.keys.Key(ctx, kid)
		if err != nil {
			return nil, err
		}
		if k.Alg != t.Method.Alg() {
			return nil, fmt.Errorf("key %q verifies %s, not %s", kid, k.Alg, t.Method.Alg())
		}
		return k.Public, nil
	}, v.algs, v.now)
}

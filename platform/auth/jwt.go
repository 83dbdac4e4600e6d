// Package auth issues and verifies the shop's credentials: JWTs for users
// (HS256 signed with API_SECRET by default, or EdDSA/RS256 signed with a
// private key only the users service holds and verified against its
// published JWK set), and the admin API key for admin operations. Every
// subgraph uses this one implementation, so a token accepted by one
// service is accepted by all and a forged one by none.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretLength is the shortest API_SECRET (and other shared secret)
// production accepts: HS256 keys shorter than the hash output make
// brute-forcing a leaked token practical. platform/service checks it.
const MinSecretLength = 32

// Sentinel errors let callers tell token failures apart in logs; clients
// always see them as UNAUTHENTICATED.
var (
	ErrNoToken      = errors.New("no bearer token")
	ErrInvalidToken = errors.New("invalid token")
	ErrExpiredToken = errors.New("token expired")
)

// Claims are the JWT claims the shop issues. UserID is the seed contract
// ({userId: ...}); Subject carries the same id for standard consumers.
// Scope lists a staff user's scopes separated by spaces, as OAuth 2.0
// (RFC 8693's scope claim) and the router's @requiresScopes expect;
// customers' tokens have none. Version is the staff user's token version
// when the token was issued: the users service raises it whenever the
// user's scopes change, so older tokens stop granting scopes there.
type Claims struct {
	UserID  string `json:"userId"`
	Scope   string `json:"scope,omitempty"`
	Version int64  `json:"ver,omitempty"`
	jwt.RegisteredClaims
}

// Identity is what a token says about its bearer: the user, the staff
// scopes it grants (none for customers) and the token version it was
// issued under (0 for customers).
type Identity struct {
	UserID  string
	Scopes  []string
	Version int64
}

// Issuer signs access tokens for users.
type Issuer interface {
	// Issue returns a signed token for id (its UserID is required).
	Issue(id Identity) (string, error)
}

// Verifier checks access tokens.
type Verifier interface {
	// Verify checks token and returns the identity it carries. Failures
	// are ErrNoToken, ErrExpiredToken or ErrInvalidToken (wrapping the
	// cause).
	Verify(ctx context.Context, token string) (Identity, error)
}

// Tokens issues and verifies HS256 user tokens with a shared secret.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// NewTokens returns a Tokens for the given secret and token lifetime.
func NewTokens(secret string, ttl time.Duration) *Tokens {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &Tokens{secret: []byte(secret), ttl: ttl, now: time.Now}
}

// Issue returns a signed token for id.
func (t *Tokens) Issue(id Identity) (string, error) {
	c, err := newClaims(id, t.now(), t.ttl)
	if err != nil {
		return "", err
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Verify checks signature (HS256 only: "none" and every other algorithm are
// refused), expiry and the presence of a user id, and returns the token's
// identity.
func (t *Tokens) Verify(_ context.Context, token string) (Identity, error) {
	return verify(token, func(*jwt.Token) (any, error) { return t.secret, nil }, []string{AlgHS256}, t.now)
}

// newClaims are the claims of a token for id issued at now. Scopes are
// refused when they are empty or hold spaces: the claim separates them
// with spaces.
func newClaims(id Identity, now time.Time, ttl time.Duration) (Claims, error) {
	if id.UserID == "" {
		return Claims{}, errors.New("sign token: no user id")
	}
	for _, s := range id.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return Claims{}, fmt.Errorf("sign token: invalid scope %q", s)
		}
	}
	return Claims{
		UserID:  id.UserID,
		Scope:   strings.Join(id.Scopes, " "),
		Version: id.Version,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   id.UserID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}, nil
}

// verify parses token, accepting only the algorithms algs (so neither
// "none" nor an algorithm the configuration did not pin passes, whatever
// the token's header says), checks its signature with the key keyFor
// returns, its expiry (required) and its user id, and returns the
// identity it carries.
func verify(token string, keyFor jwt.Keyfunc, algs []string, now func() time.Time) (Identity, error) {
	if token == "" {
		return Identity{}, ErrNoToken
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, keyFor,
		jwt.WithValidMethods(algs),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Identity{}, ErrExpiredToken
		}
		return Identity{}, fmt.Errorf("%w: %v", ErrInvalidToken, err) //nolint:errorlint // the cause is detail, the sentinel is the contract
	}
	id := c.UserID
	if id == "" {
		id = c.Subject
	}
	if id == "" {
		return Identity{}, fmt.Errorf("%w: no userId claim", ErrInvalidToken)
	}
	out := Identity{UserID: id, Version: c.Version}
	if c.Scope != "" {
		out.Scopes = strings.Fields(c.Scope)
	}
	return out, nil
}

// DeriveServiceToken derives the internal service credential from the API
// secret, so a development setup that sets only API_SECRET still has a
// credential for service-to-service calls that differs from every
// user-facing secret. Production never uses it: whoever learns API_SECRET
// could derive this too, so production requires INTERNAL_API_SECRET (see
// platform/service).
func DeriveServiceToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("shop-internal-service-token/v1"))
	return hex.EncodeToString(m.Sum(nil))
}

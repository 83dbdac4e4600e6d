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
type Claims struct {
	UserID string `json:"userId"`
	jwt.RegisteredClaims
}

// Issuer signs access tokens for users.
type Issuer interface {
	// Issue returns a signed token for userID.
	Issue(userID string) (string, error)
}

// Verifier checks access tokens.
type Verifier interface {
	// Verify checks token and returns its user id. Failures are
	// ErrNoToken, ErrExpiredToken or ErrInvalidToken (wrapping the cause).
	Verify(ctx context.Context, token string) (string, error)
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

// Issue returns a signed token for userID.
func (t *Tokens) Issue(userID string) (string, error) {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, newClaims(userID, t.now(), t.ttl)).SignedString(t.secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Verify checks signature (HS256 only: "none" and every other algorithm are
// refused), expiry and the presence of a user id, and returns the user id.
func (t *Tokens) Verify(_ context.Context, token string) (string, error) {
	return verify(token, func(*jwt.Token) (any, error) { return t.secret, nil }, []string{AlgHS256}, t.now)
}

// newClaims are the claims of a token for userID issued at now.
func newClaims(userID string, now time.Time, ttl time.Duration) Claims {
	return Claims{
		UserID: userID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
}

// verify parses token, accepting only the algorithms algs (so neither
// "none" nor an algorithm the configuration did not pin passes, whatever
// the token's header says), checks its signature with the key keyFor
// returns, its expiry (required) and its user id, and returns the id.
func verify(token string, keyFor jwt.Keyfunc, algs []string, now func() time.Time) (string, error) {
	if token == "" {
		return "", ErrNoToken
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, keyFor,
		jwt.WithValidMethods(algs),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return "", ErrExpiredToken
		}
		return "", fmt.Errorf("%w: %v", ErrInvalidToken, err) //nolint:errorlint // the cause is detail, the sentinel is the contract
	}
	id := c.UserID
	if id == "" {
		id = c.Subject
	}
	if id == "" {
		return "", fmt.Errorf("%w: no userId claim", ErrInvalidToken)
	}
	return id, nil
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

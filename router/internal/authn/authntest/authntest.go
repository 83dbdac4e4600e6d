// Package authntest serves a real JWK set over HTTP and signs tokens with
// its keys, for the tests of token verification (internal/authn and the
// router's integration tests). It plays the users service's part.
package authntest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Key is a signing key and the public JWK that verifies it.
type Key struct {
	ID     string
	method jwt.SigningMethod
	priv   crypto.Signer
}

// NewEd25519 returns an Ed25519 key (EdDSA tokens) with id kid.
func NewEd25519(kid string) (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, method: jwt.SigningMethodEdDSA, priv: priv}, nil
}

// NewRSA returns a 2048-bit RSA key (RS256 tokens) with id kid.
func NewRSA(kid string) (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, method: jwt.SigningMethodRS256, priv: priv}, nil
}

// JWK returns the public key as a JWK set member.
func (k *Key) JWK() map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	switch pub := k.priv.Public().(type) {
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(pub), "kid": k.ID, "alg": "EdDSA", "use": "sig"}
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()), "kid": k.ID, "alg": "RS256", "use": "sig"}
	}
	return nil
}

// Sign returns a token with claims, signed by k and naming it in kid.
func (k *Key) Sign(claims jwt.MapClaims) (string, error) { return k.SignAs(k.ID, claims) }

// SignAs is Sign naming another key id in the header.
func (k *Key) SignAs(kid string, claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(k.method, claims)
	t.Header["kid"] = kid
	return t.SignedString(k.priv)
}

// Claims returns the claims of a token for user id, issued now and valid
// for ttl (negative: expired that long ago).
func Claims(user string, ttl time.Duration) jwt.MapClaims {
	now := time.Now()
	iat := now
	if ttl < 0 {
		iat = now.Add(2 * ttl)
	}
	return jwt.MapClaims{"sub": user, "userId": user, "iat": iat.Unix(), "exp": now.Add(ttl).Unix()}
}

// Server publishes a JWK set and counts the fetches.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	keys    []*Key
	extra   []map[string]any
	fetches int
	failing bool
}

// NewServer serves keys at /.well-known/jwks.json (any path answers).
func NewServer(keys ...*Key) *Server {
	s := &Server{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL returns the JWK set's address.
func (s *Server) URL() string { return s.Server.URL + "/.well-known/jwks.json" }

func (s *Server) serve(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.fetches++
	if s.failing {
		s.mu.Unlock()
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	set := make([]map[string]any, 0, len(s.keys)+len(s.extra))
	for _, k := range s.keys {
		set = append(set, k.JWK())
	}
	set = append(set, s.extra...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": set})
}

// Add publishes k from now on (a key rotation at users).
func (s *Server) Add(k *Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
}

// AddRaw publishes a JWK set member as it is (malformed or unusable keys).
func (s *Server) AddRaw(m map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extra = append(s.extra, m)
}

// SetFailing makes the set answer 503 (true) or serve again (false).
func (s *Server) SetFailing(failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = failing
}

// Fetches returns how often the set was requested.
func (s *Server) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// Package authntest serves a real JWK set over HTTP and signs tokens with
// its keys, for the tests of token verification (internal/authn and the
// router's integration tests). It plays the users service's part.
package authntest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Key is a signing key and the JWK that verifies it.
type Key struct {
	ID     string
	method jwt.SigningMethod
	priv   crypto.Signer
	secret []byte // oct keys
	// NoAlg leaves alg out of the published JWK, so the verifier infers
	// the algorithms from the key type, as for most published sets.
	NoAlg bool
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

// NewEC returns an ECDSA key for alg (ES256 on P-256, ES384 on P-384,
// ES512 on P-521) with id kid.
func NewEC(kid, alg string) (*Key, error) {
	curves := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}
	c, ok := curves[alg]
	if !ok {
		return nil, fmt.Errorf("no curve for %s", alg)
	}
	priv, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, method: jwt.GetSigningMethod(alg), priv: priv}, nil
}

// NewHMAC returns a symmetric (oct) key signing HS256 tokens with secret,
// as users does with API_SECRET.
func NewHMAC(kid string, secret []byte) *Key {
	return &Key{ID: kid, method: jwt.SigningMethodHS256, secret: secret}
}

// As returns the key signing with another algorithm of its type (RS384,
// PS256, HS512, ...); the JWK names that algorithm unless NoAlg.
func (k *Key) As(alg string) *Key {
	c := *k
	c.method = jwt.GetSigningMethod(alg)
	return &c
}

// Public returns the public key (nil for oct keys).
func (k *Key) Public() crypto.PublicKey {
	if k.priv == nil {
		return nil
	}
	return k.priv.Public()
}

// Alg returns the algorithm the key signs with.
func (k *Key) Alg() string { return k.method.Alg() }

// JWK returns the key as a JWK set member (the secret itself for oct keys).
func (k *Key) JWK() map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	var m map[string]any
	if k.secret != nil {
		m = map[string]any{"kty": "oct", "k": b64(k.secret)}
	} else {
		switch pub := k.priv.Public().(type) {
		case ed25519.PublicKey:
			m = map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(pub)}
		case *rsa.PublicKey:
			m = map[string]any{"kty": "RSA", "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
		case *ecdsa.PublicKey:
			size := (pub.Curve.Params().BitSize + 7) / 8
			m = map[string]any{"kty": "EC", "crv": pub.Curve.Params().Name, "x": b64(pub.X.FillBytes(make([]byte, size))), "y": b64(pub.Y.FillBytes(make([]byte, size)))}
		default:
			return nil
		}
	}
	m["use"] = "sig"
	if k.ID != "" {
		m["kid"] = k.ID
	}
	if !k.NoAlg {
		m["alg"] = k.method.Alg()
	}
	return m
}

// Sign returns a token with claims, signed by k and naming it in kid
// (no kid header when k has no id).
func (k *Key) Sign(claims jwt.MapClaims) (string, error) { return k.SignAs(k.ID, claims) }

// SignAs is Sign naming another key id in the header ("" for none).
func (k *Key) SignAs(kid string, claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(k.method, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	if k.secret != nil {
		return t.SignedString(k.secret)
	}
	return t.SignedString(k.priv)
}

// WriteFile writes a JWK set of keys to path (mode 0600) and returns its
// file:// URL.
func WriteFile(path string, keys ...*Key) (string, error) {
	set := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		set = append(set, k.JWK())
	}
	data, err := json.Marshal(map[string]any{"keys": set})
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", err
	}
	return "file://" + path, nil
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

package auth

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
)

// The token algorithms the shop knows. HS256 shares one secret between
// whoever signs and whoever verifies; EdDSA (Ed25519) and RS256 let users
// sign with a private key while every other service verifies with the
// public one and cannot mint tokens.
const (
	AlgHS256 = "HS256"
	AlgEdDSA = "EdDSA"
	AlgRS256 = "RS256"
)

// MinRSABits is the smallest RSA modulus accepted for signing or
// verifying; shorter keys are within reach of factoring.
const MinRSABits = 2048

// ErrUnknownKey means a token names a key id no configured or published
// key has.
var ErrUnknownKey = errors.New("unknown signing key")

// Key is a public key that verifies tokens: its id (the kid tokens carry
// in their header) and the one algorithm it verifies.
type Key struct {
	ID     string
	Alg    string
	Public crypto.PublicKey
}

// NewKey returns the verification key for pub under id. The algorithm
// follows from the key type (Ed25519: EdDSA, RSA: RS256), never from a
// token, so a token cannot choose how it is checked. An empty id becomes
// the key's RFC 7638 thumbprint.
func NewKey(id string, pub crypto.PublicKey) (Key, error) {
	var alg string
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return Key{}, fmt.Errorf("ed25519 public key of %d bytes", len(k))
		}
		alg = AlgEdDSA
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSABits {
			return Key{}, fmt.Errorf("RSA key of %d bits: at least %d required", k.N.BitLen(), MinRSABits)
		}
		alg = AlgRS256
	default:
		return Key{}, fmt.Errorf("unsupported public key type %T: use Ed25519 or RSA", pub)
	}
	if id == "" {
		t, err := Thumbprint(pub)
		if err != nil {
			return Key{}, err
		}
		id = t
	}
	return Key{ID: id, Alg: alg, Public: pub}, nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of pub (SHA-256,
// base64url): a key id every party derives alike from the key itself.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	var members string
	switch k := pub.(type) {
	case ed25519.PublicKey:
		members = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":"%s"}`, b64(k))
	case *rsa.PublicKey:
		members = fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, b64(big.NewInt(int64(k.E)).Bytes()), b64(k.N.Bytes()))
	default:
		return "", fmt.Errorf("thumbprint: unsupported public key type %T", pub)
	}
	sum := sha256.Sum256([]byte(members))
	return b64(sum[:]), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ParsePrivateKeyPEM reads an Ed25519 or RSA private key in PEM: PKCS #8
// ("PRIVATE KEY", what `openssl genpkey` writes) or PKCS #1 ("RSA PRIVATE
// KEY"). Encrypted keys and other key types are refused.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q: want an unencrypted PRIVATE KEY (PKCS #8) or RSA PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		if k.N.BitLen() < MinRSABits {
			return nil, fmt.Errorf("RSA key of %d bits: at least %d required", k.N.BitLen(), MinRSABits)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("unsupported private key type %T: use Ed25519 or RSA", key)
	}
}

// ParsePublicKeyPEM reads an Ed25519 or RSA public key in PEM ("PUBLIC
// KEY", PKIX, or "RSA PUBLIC KEY", PKCS #1). A private key is accepted
// too and yields its public half, so the file of a retired signing key
// can serve as a previous key during a rotation.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		return k, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		return k, nil
	case "PRIVATE KEY", "RSA PRIVATE KEY":
		k, err := ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, err
		}
		return k.Public(), nil
	default:
		return nil, fmt.Errorf("PEM block %q: want a PUBLIC KEY", block.Type)
	}
}

// JWK is one key of a JSON Web Key Set (RFC 7517): an Ed25519 key as
// RFC 8037's OKP (crv, x) or an RSA key (n, e), always for signatures.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// JWKSet is a JSON Web Key Set document.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// JWK returns k as a JSON Web Key.
func (k Key) JWK() JWK {
	j := JWK{Kid: k.ID, Alg: k.Alg, Use: "sig"}
	switch p := k.Public.(type) {
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", b64(p)
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b64(p.N.Bytes()), b64(big.NewInt(int64(p.E)).Bytes())
	}
	return j
}

// Key returns the verification key j describes. Only signature keys of
// the shop's asymmetric algorithms qualify: symmetric ("oct") keys, keys
// for encryption and keys whose alg does not match their type are
// refused, so a published set cannot turn a public key into an HMAC
// secret.
func (j JWK) Key() (Key, error) {
	if j.Use != "" && j.Use != "sig" {
		return Key{}, fmt.Errorf("key %q: use %q is not sig", j.Kid, j.Use)
	}
	if j.Kid == "" {
		return Key{}, errors.New("key without kid")
	}
	var pub crypto.PublicKey
	switch j.Kty {
	case "OKP":
		x, err := base64.RawURLEncoding.DecodeString(j.X)
		if j.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
			return Key{}, fmt.Errorf("key %q: not an Ed25519 key", j.Kid)
		}
		pub = ed25519.PublicKey(x)
	case "RSA":
		n, err1 := base64.RawURLEncoding.DecodeString(j.N)
		e, err2 := base64.RawURLEncoding.DecodeString(j.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return Key{}, fmt.Errorf("key %q: malformed RSA key", j.Kid)
		}
		exp := new(big.Int).SetBytes(e).Int64()
		if exp < 3 || exp%2 == 0 {
			return Key{}, fmt.Errorf("key %q: RSA exponent %d", j.Kid, exp)
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp)}
	default:
		return Key{}, fmt.Errorf("key %q: key type %q is not OKP or RSA", j.Kid, j.Kty)
	}
	k, err := NewKey(j.Kid, pub)
	if err != nil {
		return Key{}, fmt.Errorf("key %q: %w", j.Kid, err)
	}
	if j.Alg != "" && j.Alg != k.Alg {
		return Key{}, fmt.Errorf("key %q: alg %q does not fit a %s key", j.Kid, j.Alg, j.Kty)
	}
	return k, nil
}

// JWKSHandler serves keys as a JWK set, the document users publishes at
// /.well-known/jwks.json for the services that verify its tokens. The
// document is built once: the keys change only with a restart.
func JWKSHandler(keys []Key) (http.Handler, error) {
	set := JWKSet{Keys: make([]JWK, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.JWK())
	}
	body, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		// Verifiers refresh on their own schedule and on unknown key ids;
		// shared caches may keep the document for a few minutes.
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body) //nolint:errcheck // the client went away
	}), nil
}

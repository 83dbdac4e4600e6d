package authn

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// The token algorithms a key set can verify. The algorithm follows from
// the key type, never from the token, so a token cannot choose how it is
// checked.
const (
	AlgEdDSA = "EdDSA"
	AlgRS256 = "RS256"
)

// minRSABits is the smallest RSA modulus accepted, as the subgraphs
// require: shorter keys are within reach of factoring.
const minRSABits = 2048

// jwk is one member of a JSON Web Key Set (RFC 7517): an Ed25519 key as an
// OKP key (RFC 8037) or an RSA key.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	N   string `json:"n"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// key is a public key that verifies tokens of one algorithm.
type key struct {
	alg    string
	public crypto.PublicKey
}

// parse returns the verification key j describes. Only signature keys
// with an id qualify; symmetric ("oct") keys, encryption keys, short RSA
// keys and keys whose alg does not fit their type are refused, so a
// published set can never make a public key serve as an HMAC secret.
func (j jwk) parse() (key, error) {
	if j.Kid == "" {
		return key{}, errors.New("key without kid")
	}
	if j.Use != "" && j.Use != "sig" {
		return key{}, fmt.Errorf("key %q: use %q is not sig", j.Kid, j.Use)
	}
	var k key
	switch j.Kty {
	case "OKP":
		x, err := base64.RawURLEncoding.DecodeString(j.X)
		if j.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
			return key{}, fmt.Errorf("key %q: not an Ed25519 key", j.Kid)
		}
		k = key{alg: AlgEdDSA, public: ed25519.PublicKey(x)}
	case "RSA":
		n, errN := base64.RawURLEncoding.DecodeString(j.N)
		e, errE := base64.RawURLEncoding.DecodeString(j.E)
		if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
			return key{}, fmt.Errorf("key %q: malformed RSA key", j.Kid)
		}
		mod, exp := new(big.Int).SetBytes(n), new(big.Int).SetBytes(e).Int64()
		if mod.BitLen() < minRSABits {
			return key{}, fmt.Errorf("key %q: RSA key of %d bits, at least %d required", j.Kid, mod.BitLen(), minRSABits)
		}
		if exp < 3 || exp%2 == 0 {
			return key{}, fmt.Errorf("key %q: RSA exponent %d", j.Kid, exp)
		}
		k = key{alg: AlgRS256, public: &rsa.PublicKey{N: mod, E: int(exp)}}
	default:
		return key{}, fmt.Errorf("key %q: key type %q is not OKP or RSA", j.Kid, j.Kty)
	}
	if j.Alg != "" && j.Alg != k.alg {
		return key{}, fmt.Errorf("key %q: alg %q does not fit a %s key", j.Kid, j.Alg, j.Kty)
	}
	return k, nil
}

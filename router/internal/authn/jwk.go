package authn

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// The token algorithms the router verifies (RFC 7518 and RFC 8037), by
// key type. The algorithms a key may verify follow from its type (and its
// curve or its alg member), never from the token alone, so a token cannot
// choose how it is checked: an RSA or EC public key never serves as an
// HMAC secret.
const (
	AlgHS256 = "HS256"
	AlgHS384 = "HS384"
	AlgHS512 = "HS512"
	AlgRS256 = "RS256"
	AlgRS384 = "RS384"
	AlgRS512 = "RS512"
	AlgPS256 = "PS256"
	AlgPS384 = "PS384"
	AlgPS512 = "PS512"
	AlgES256 = "ES256"
	AlgES384 = "ES384"
	AlgES512 = "ES512"
	AlgEdDSA = "EdDSA"
)

// Algorithms lists every algorithm a key set can verify, in the order of
// the constants above. "none" is not one of them.
var Algorithms = []string{
	AlgHS256, AlgHS384, AlgHS512,
	AlgRS256, AlgRS384, AlgRS512, AlgPS256, AlgPS384, AlgPS512,
	AlgES256, AlgES384, AlgES512,
	AlgEdDSA,
}

// algsByKeyType are the algorithms each key type may verify; EC keys are
// narrowed further by their curve.
var algsByKeyType = map[string][]string{
	"oct": {AlgHS256, AlgHS384, AlgHS512},
	"RSA": {AlgRS256, AlgRS384, AlgRS512, AlgPS256, AlgPS384, AlgPS512},
	"OKP": {AlgEdDSA},
}

// ecCurves maps a JWK curve name to its curve and its one algorithm.
var ecCurves = map[string]struct {
	curve elliptic.Curve
	alg   string
}{
	"P-256": {elliptic.P256(), AlgES256},
	"P-384": {elliptic.P384(), AlgES384},
	"P-521": {elliptic.P521(), AlgES512},
}

// minRSABits is the smallest RSA modulus accepted, as the subgraphs
// require: shorter keys are within reach of factoring.
const minRSABits = 2048

// jwk is one member of a JSON Web Key Set (RFC 7517): a symmetric (oct),
// RSA, EC or OKP (Ed25519, RFC 8037) key.
type jwk struct {
	Kty    string   `json:"kty"`
	Crv    string   `json:"crv"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	K      string   `json:"k"`
	Kid    string   `json:"kid"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
}

// key verifies tokens of the algorithms algs.
type key struct {
	kid    string
	algs   []string
	public any // []byte, *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// fits reports whether k may verify a token signed with alg.
func (k key) fits(alg string) bool { return slices.Contains(k.algs, alg) }

// parse returns the verification key j describes. Keys meant for
// something else than verifying signatures (use other than sig, key_ops
// without verify), RSA keys under 2048 bits, points off their curve and
// keys whose alg does not fit their type are refused.
func (j jwk) parse() (key, error) {
	name := j.Kid
	if name == "" {
		name = "without kid"
	}
	name = fmt.Sprintf("key %q", name)
	if j.Use != "" && j.Use != "sig" {
		return key{}, fmt.Errorf("%s: use %q is not sig", name, j.Use)
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return key{}, fmt.Errorf("%s: key_ops %v lack verify", name, j.KeyOps)
	}
	b64 := base64.RawURLEncoding.DecodeString
	k := key{kid: j.Kid, algs: algsByKeyType[j.Kty]}
	switch j.Kty {
	case "oct":
		secret, err := b64(j.K)
		if err != nil || len(secret) == 0 {
			return key{}, fmt.Errorf("%s: malformed oct key (k must be base64url without padding)", name)
		}
		k.public = secret
	case "RSA":
		n, errN := b64(j.N)
		e, errE := b64(j.E)
		if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
			return key{}, fmt.Errorf("%s: malformed RSA key", name)
		}
		mod, exp := new(big.Int).SetBytes(n), new(big.Int).SetBytes(e).Int64()
		if mod.BitLen() < minRSABits {
			return key{}, fmt.Errorf("%s: RSA key of %d bits, at least %d required", name, mod.BitLen(), minRSABits)
		}
		if exp < 3 || exp%2 == 0 {
			return key{}, fmt.Errorf("%s: RSA exponent %d", name, exp)
		}
		k.public = &rsa.PublicKey{N: mod, E: int(exp)}
	case "EC":
		c, ok := ecCurves[j.Crv]
		if !ok {
			return key{}, fmt.Errorf("%s: EC curve %q is not P-256, P-384 or P-521", name, j.Crv)
		}
		pub, err := ecPublicKey(c.curve, j.X, j.Y)
		if err != nil {
			return key{}, fmt.Errorf("%s: %w", name, err)
		}
		k.algs, k.public = []string{c.alg}, pub
	case "OKP":
		x, err := b64(j.X)
		if j.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
			return key{}, fmt.Errorf("%s: not an Ed25519 key", name)
		}
		k.public = ed25519.PublicKey(x)
	default:
		return key{}, fmt.Errorf("%s: key type %q is not oct, RSA, EC or OKP", name, j.Kty)
	}
	if j.Alg != "" {
		if !k.fits(j.Alg) {
			return key{}, fmt.Errorf("%s: alg %q does not fit a %s key", name, j.Alg, j.Kty)
		}
		k.algs = []string{j.Alg}
	}
	return k, nil
}

// ecPublicKey decodes the coordinates x and y (base64url, each the
// curve's size) and checks that the point lies on the curve.
func ecPublicKey(curve elliptic.Curve, x, y string) (*ecdsa.PublicKey, error) {
	size := (curve.Params().BitSize + 7) / 8
	xb, errX := base64.RawURLEncoding.DecodeString(x)
	yb, errY := base64.RawURLEncoding.DecodeString(y)
	if errX != nil || errY != nil || len(xb) != size || len(yb) != size {
		return nil, errors.New("malformed EC key")
	}
	point := append(append([]byte{4}, xb...), yb...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, errors.New("EC key is not a point of its curve")
	}
	return pub, nil
}

package e2e

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestAsymmetricTokens runs the stack with asymmetric tokens: users signs
// with an Ed25519 key and publishes it, with a previous RSA key of a
// rotation, at /.well-known/jwks.json; products and orders hold no
// signing secret and verify through that URL. Through the router: register,
// get a token, place an order. A token of the previous key still works; an
// HS256 token signed with API_SECRET, which every service used to hold, and
// an unsigned one are refused.
func TestAsymmetricTokens(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, current, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	previous, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sys := harness.Start(t, bins, harness.Options{
		UsersEnv: map[string]string{
			"TOKEN_SIGNING_KEY_FILE":   writeKey(t, dir, "current.pem", current),
			"TOKEN_KEY_ID":             "shop-2026",
			"TOKEN_PREVIOUS_KEY_FILES": "shop-2025=" + writeKey(t, dir, "previous.pem", previous),
		},
		UsersJWKS: true,
	})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	buyer := s.register(ctx, "asym")
	h, _, err := jwt.NewParser().ParseUnverified(buyer.Token, jwt.MapClaims{})
	if err != nil || h.Header["alg"] != "EdDSA" || h.Header["kid"] != "shop-2026" {
		t.Fatalf("token header %v (%v), want EdDSA from key shop-2026", h.Header, err)
	}
	p := s.createProduct(ctx, "signed", 250, 5)
	var placed struct{ PlaceOrder order }
	if r := s.placeOrder(ctx, buyer, p.ID, 2); r.Decode(&placed) != nil || len(r.Errors) > 0 || placed.PlaceOrder.UserID != buyer.ID || placed.PlaceOrder.Status != "CONFIRMED" {
		t.Fatalf("placeOrder with users' EdDSA token: %s", r.Body)
	}
	if got := s.product(ctx, p.ID).Quantity; got != 3 {
		t.Fatalf("quantity after the order = %d, want 3", got)
	}

	now := time.Now()
	claims := jwt.MapClaims{"userId": buyer.ID, "sub": buyer.ID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	sign := func(m jwt.SigningMethod, key any, kid string) account {
		tok := jwt.NewWithClaims(m, claims)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		str, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return account{ID: buyer.ID, Token: str}
	}

	// A token signed before the rotation, with the previous key.
	var mine struct{ Orders []order }
	s.must(ctx, `{ orders { _id userId } }`, nil, sign(jwt.SigningMethodRS256, previous, "shop-2025").auth(), &mine)
	if len(mine.Orders) != 1 || mine.Orders[0].ID != placed.PlaceOrder.ID {
		t.Fatalf("orders with the previous key's token = %+v", mine.Orders)
	}

	for name, forged := range map[string]account{
		"HS256 with API_SECRET":            sign(jwt.SigningMethodHS256, []byte(sys.Secret), ""),
		"HS256 with API_SECRET, known kid": sign(jwt.SigningMethodHS256, []byte(sys.Secret), "shop-2026"),
		"alg none":                         sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "shop-2026"),
		"unknown key":                      sign(jwt.SigningMethodEdDSA, mustEd25519(t), "shop-2027"),
	} {
		t.Run(name, func(t *testing.T) {
			expectRefused(t, sys, s.placeOrder(ctx, forged, p.ID, 1), "placeOrder", "UNAUTHENTICATED")
			expectRefused(t, sys, s.do(ctx, `{ me { _id } }`, nil, forged.auth()), "me", "UNAUTHENTICATED")
		})
	}

	// Another user reads the buyer's account: _id and username only.
	other := s.register(ctx, "peer")
	var u struct {
		User struct {
			ID        string `json:"_id"`
			Username  string
			Email     *string
			CreatedAt *string
			Orders    []order
		}
	}
	s.must(ctx, `query($id: ID!) { user(id: $id) { _id username email createdAt orders { _id } } }`, map[string]any{"id": buyer.ID}, other.auth(), &u)
	if u.User.ID != buyer.ID || u.User.Username != buyer.Username || u.User.Email != nil || u.User.CreatedAt != nil || len(u.User.Orders) != 0 {
		t.Errorf("another user's view of the buyer = %+v", u.User)
	}
	s.must(ctx, `query($id: ID!) { user(id: $id) { _id username email createdAt orders { _id } } }`, map[string]any{"id": buyer.ID}, buyer.auth(), &u)
	if u.User.Email == nil || u.User.CreatedAt == nil || len(u.User.Orders) != 1 {
		t.Errorf("the buyer's own view = %+v", u.User)
	}
	if r := s.placeOrder(ctx, buyer, p.ID, 10); !r.HasCode("INSUFFICIENT_STOCK") {
		t.Errorf("overselling with a valid token: %s", r.Body)
	}
}

func writeKey(t *testing.T, dir, name string, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustEd25519(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const secret = "0123456789abcdef0123456789abcdef"

func TestIssueVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	tk := NewTokens(secret, time.Hour)
	tok, err := tk.Issue(Identity{UserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := tk.Verify(context.Background(), tok)
	if err != nil || id.UserID != "u1" || id.Scopes != nil || id.Version != 0 {
		t.Fatalf("Verify = %+v, %v", id, err)
	}
	var c Claims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil {
		t.Fatal(err)
	}
	if c.UserID != "u1" || c.Subject != "u1" || c.IssuedAt == nil || c.ExpiresAt == nil {
		t.Fatalf("claims = %+v", c)
	}
	// A customer's token carries no scope claim at all.
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil || bytes.Contains(payload, []byte(`"scope"`)) || bytes.Contains(payload, []byte(`"ver"`)) {
		t.Fatalf("customer payload %s (%v) has scope or ver", payload, err)
	}
}

// TestStaffScopesRoundTrip: a staff token carries its scopes as one
// space-separated "scope" claim and its version as "ver", and the
// authenticator fills the principal with both.
func TestStaffScopesRoundTrip(t *testing.T) {
	t.Parallel()
	tk := NewTokens(secret, time.Hour)
	tok, err := tk.Issue(Identity{UserID: "s1", Scopes: []string{ScopeManageOrders, ScopeManageProducts}, Version: 3})
	if err != nil {
		t.Fatal(err)
	}
	var c Claims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil {
		t.Fatal(err)
	}
	if c.Scope != "MANAGE_ORDERS MANAGE_PRODUCTS" || c.Version != 3 {
		t.Fatalf("claims = %+v", c)
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	p := (&Authenticator{Tokens: tk}).Principal(context.Background(), h)
	if p.UserID != "s1" || p.TokenVersion != 3 || !p.HasScope(ScopeManageOrders) || !p.HasScope(ScopeManageProducts) || p.HasScope(ScopeManageUsers) {
		t.Fatalf("principal = %+v", p)
	}
	for _, bad := range []Identity{{}, {UserID: "s1", Scopes: []string{"A B"}}, {UserID: "s1", Scopes: []string{""}}} {
		if _, err := tk.Issue(bad); err == nil {
			t.Errorf("Issue(%+v) accepted", bad)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	tk := NewTokens(secret, time.Hour)
	expired := NewTokens(secret, time.Hour)
	expired.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expTok, _ := expired.Issue(Identity{UserID: "u1"})
	otherTok, _ := NewTokens("another-secret-another-secret-xx", time.Hour).Issue(Identity{UserID: "u1"})
	noneTok, _ := jwt.NewWithClaims(jwt.SigningMethodNone, Claims{UserID: "u1", RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, Claims{UserID: "u1", RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString([]byte(secret))
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{UserID: "u1"}).SignedString([]byte(secret))
	noUser, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString([]byte(secret))
	good, _ := tk.Issue(Identity{UserID: "u1"})
	tampered := tamperSignature(good)

	cases := map[string]struct {
		tok  string
		want error
	}{
		"empty":        {"", ErrNoToken},
		"expired":      {expTok, ErrExpiredToken},
		"other secret": {otherTok, ErrInvalidToken},
		"alg none":     {noneTok, ErrInvalidToken},
		"hs512":        {hs512, ErrInvalidToken},
		"no exp":       {noExp, ErrInvalidToken},
		"no user":      {noUser, ErrInvalidToken},
		"tampered":     {tampered, ErrInvalidToken},
		"garbage":      {"not.a.jwt", ErrInvalidToken},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := tk.Verify(context.Background(), c.tok); !errors.Is(err, c.want) {
				t.Fatalf("Verify err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestPrincipal(t *testing.T) {
	t.Parallel()
	tokens := NewTokens(secret, time.Hour)
	a := &Authenticator{Tokens: tokens, AdminKey: "admin-key"}
	tok, _ := tokens.Issue(Identity{UserID: "u9"})
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	h.Set("x-api-token", "admin-key")
	p := a.Principal(context.Background(), h)
	if p.UserID != "u9" || !p.Admin || p.TokenErr != nil {
		t.Fatalf("principal = %+v", p)
	}
	h = http.Header{}
	h.Set("Authorization", "Basic abc")
	h.Set("x-api-key", "wrong")
	p = a.Principal(context.Background(), h)
	if p.UserID != "" || p.Admin || !p.KeyPresented || !errors.Is(p.TokenErr, ErrInvalidToken) {
		t.Fatalf("principal = %+v", p)
	}
	if (&Authenticator{}).KeyMatches("") {
		t.Fatal("empty admin key must never match")
	}
}

// tamperSignature replaces the first character of tok's signature with a
// different one. The first character carries six bits of the signature,
// so the signature always changes; changing the last characters does not
// always (the last character of an unpadded base64 signature has bits the
// decoder ignores, and a fixed suffix can equal the original).
func tamperSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 1
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func TestTamperSignature(t *testing.T) {
	t.Parallel()
	// A signature ending in "xw", which the decoder reads the same as one
	// ending in "xx", and one starting with the replacement character.
	for _, sig := range []string{strings.Repeat("Q", 41) + "xw", "A" + strings.Repeat("Q", 42)} {
		tok := "e30.e30." + sig
		got := tamperSignature(tok)
		was, err := base64.RawURLEncoding.DecodeString(sig)
		if err != nil {
			t.Fatal(err)
		}
		now, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(got, "e30.e30."))
		if err != nil || !strings.HasPrefix(got, "e30.e30.") || bytes.Equal(now, was) {
			t.Errorf("tamperSignature(%q) = %q (%v), want the same header and payload and other signature bytes", tok, got, err)
		}
	}
}

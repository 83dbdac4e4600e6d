package auth

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Header names the shop accepts. The seed calls the admin header both
// x-api-key and x-api-token; both are honoured.
const (
	HeaderAuthorization = "Authorization"
	HeaderAPIKey        = "X-Api-Key"
	HeaderAPIToken      = "X-Api-Token"
)

// Principal is who made a request, as far as the credentials say. A request
// may carry no credentials (anonymous), a user token, an admin key, or both.
type Principal struct {
	// UserID is set when a valid bearer token was presented.
	UserID string
	// Admin is true when a matching admin key was presented.
	Admin bool
	// TokenErr is set when a bearer token was presented but is not valid.
	TokenErr error
	// KeyPresented is true when an admin key header was sent at all.
	KeyPresented bool
	// Scopes are the staff scopes the bearer token grants (its "scope"
	// claim, space separated as in OAuth 2.0); empty for customers.
	Scopes []string
	// TokenVersion is the token's "ver" claim: the staff user's token
	// version when it was issued (0 for customers). The users service
	// compares it with the stored version, so scopes revoked since the
	// token was issued stop counting there.
	TokenVersion int64
}

// Staff scopes. A token carries them in its "scope" claim; the admin key
// holds all of them.
const (
	ScopeManageProducts = "MANAGE_PRODUCTS"
	ScopeManageOrders   = "MANAGE_ORDERS"
	ScopeManageUsers    = "MANAGE_USERS"
)

// AllScopes lists every staff scope, in a stable order.
func AllScopes() []string {
	return []string{ScopeManageProducts, ScopeManageOrders, ScopeManageUsers}
}

// HasScope reports whether the request may act with scope: the admin key
// holds every scope; a valid token holds those of its "scope" claim.
func (p Principal) HasScope(scope string) bool {
	if p.Admin {
		return true
	}
	if p.UserID == "" {
		return false
	}
	for _, s := range p.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Authenticated reports whether a valid user token was presented.
func (p Principal) Authenticated() bool { return p.UserID != "" }

type principalKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal stored by Middleware (anonymous if none).
func FromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// Authenticator turns request headers into a Principal.
type Authenticator struct {
	// Tokens verifies bearer tokens: a *Tokens (HS256) or a *KeyVerifier.
	Tokens   Verifier
	AdminKey string
}

// KeyMatches compares a presented admin key with the configured one in
// constant time, so the comparison leaks nothing about the key.
func (a *Authenticator) KeyMatches(presented string) bool {
	if a.AdminKey == "" || presented == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(presented), []byte(a.AdminKey)) == 1
}

// Principal builds the principal for a request's headers.
func (a *Authenticator) Principal(ctx context.Context, h http.Header) Principal {
	var p Principal
	if raw := h.Get(HeaderAuthorization); raw != "" {
		tok, ok := bearer(raw)
		if !ok {
			p.TokenErr = ErrInvalidToken
		} else if id, err := a.Tokens.Verify(ctx, tok); err != nil {
			p.TokenErr = err
		} else {
			p.UserID, p.Scopes, p.TokenVersion = id.UserID, id.Scopes, id.Version
		}
	}
	key := h.Get(HeaderAPIKey)
	if key == "" {
		key = h.Get(HeaderAPIToken)
	}
	if key != "" {
		p.KeyPresented = true
		p.Admin = a.KeyMatches(key)
	}
	return p
}

// Middleware stores the request's Principal in its context.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), a.Principal(r.Context(), r.Header))))
	})
}

func bearer(v string) (string, bool) {
	const prefix = "bearer "
	if len(v) < len(prefix) || !strings.EqualFold(v[:len(prefix)], prefix) {
		return "", false
	}
	tok := strings.TrimSpace(v[len(prefix):])
	return tok, tok != ""
}

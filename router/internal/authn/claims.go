package authn

import "context"

// Claims are the verified claims of a request's token as decoded from its
// JSON payload (numbers are float64). Later features (@authenticated,
// @requiresScopes) read them from the request context.
type Claims map[string]any

// Subject returns the sub claim, or "" when there is none.
func (c Claims) Subject() string {
	s, _ := c["sub"].(string)
	return s
}

type claimsKey struct{}

// WithClaims returns ctx carrying the verified claims c.
func WithClaims(ctx context.Context, c Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// FromContext returns the verified claims of the request, and false when
// it carried no token or authentication is off.
func FromContext(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(Claims)
	return c, ok && c != nil
}

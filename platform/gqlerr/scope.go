package gqlerr

import (
	"context"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsupergraph/shop/platform/auth"
)

// RequireScope checks that the request's principal holds scope (the
// admin key holds every scope). Without any credential it is
// UNAUTHENTICATED; with credentials that do not grant the scope (a
// customer token, a staff token without it, a wrong admin key, a token
// that does not verify) it is FORBIDDEN with the scope in
// extensions.requiredScopes, as the admin checks always answered.
// Every subgraph checks its staff operations with it, whatever the router
// enforced already (@requiresScopes).
func RequireScope(ctx context.Context, scope string) *gqlerror.Error {
	p := auth.FromContext(ctx)
	switch {
	case p.HasScope(scope):
		return nil
	case !p.KeyPresented && !p.Authenticated() && p.TokenErr == nil:
		return New(ctx, Unauthenticated, "this operation needs a staff token with the "+scope+" scope or the admin key in the x-api-key header", nil)
	default:
		return New(ctx, Forbidden, "this operation needs the "+scope+" scope", map[string]any{"requiredScopes": []string{scope}})
	}
}

package app

import (
	"context"
	"log/slog"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/config"
)

// JWKSConfig is one key set tokens are verified against (router.yaml
// authentication.jwks).
type JWKSConfig = config.JWKS

// newAuthenticator builds token verification from the authentication
// section, or returns nil when no JWKS is configured (the default).
func newAuthenticator(ctx context.Context, cfg Config, logger *slog.Logger) (*authn.Authenticator, error) {
	if !cfg.AuthenticationEnabled() {
		return nil, nil
	}
	a := cfg.Authentication
	sets := make([]authn.KeySet, 0, len(a.JWKS))
	for _, s := range a.JWKS {
		sets = append(sets, authn.KeySet{URL: s.URL, RefreshInterval: s.RefreshInterval, Algorithms: s.Algorithms})
	}
	return authn.New(ctx, authn.Config{
		Sets:         sets,
		HeaderName:   a.HeaderName,
		HeaderPrefix: a.HeaderPrefix,
		Require:      a.Require,
		Logger:       logger,
	})
}

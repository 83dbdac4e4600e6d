package app

import (
	"context"
	"log/slog"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/config"
)

// JWKSConfig is one key set tokens are verified against (router.yaml
// authentication.router.jwt.jwks).
type JWKSConfig = config.JWKS

// newAuthenticator builds token verification from the authentication
// section, or returns nil when no JWKS is configured (the default).
func newAuthenticator(ctx context.Context, cfg Config, logger *slog.Logger) (*authn.Authenticator, error) {
	if !cfg.AuthenticationEnabled() {
		return nil, nil
	}
	j := cfg.Authentication.Router.JWT
	sets := make([]authn.KeySet, 0, len(j.JWKS))
	for _, s := range j.JWKS {
		sets = append(sets, authn.KeySet{
			URL: s.URL, PollInterval: s.PollInterval, Algorithms: s.Algorithms,
			Issuers: s.AllIssuers(), Audiences: s.Audiences,
		})
	}
	return authn.New(ctx, authn.Config{
		Sets:         sets,
		HeaderName:   j.HeaderName,
		HeaderPrefix: j.HeaderValuePrefix,
		Require:      cfg.Authentication.Require,
		ClockSkew:    j.ClockSkew,
		Logger:       logger,
	})
}

package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/config"
)

// APIKeyConfig is one static key of the router (router.yaml
// authentication.router.api_keys).
type APIKeyConfig = config.APIKey

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

// newAPIKeys builds the API key check from authentication.router.api_keys,
// reading key files now, or returns nil when no key is configured.
func newAPIKeys(cfg Config, logger *slog.Logger) (*authn.APIKeys, error) {
	if !cfg.APIKeysEnabled() {
		return nil, nil
	}
	keys := make([]authn.APIKey, 0, len(cfg.Authentication.Router.APIKeys))
	for _, k := range cfg.Authentication.Router.APIKeys {
		key := k.Key
		if k.KeyFile != "" {
			b, err := os.ReadFile(k.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("authentication: api key %q: %w", k.Name, err)
			}
			key = strings.TrimSpace(string(b))
		}
		keys = append(keys, authn.APIKey{Name: k.Name, Headers: k.HeaderNames, Key: key, Scopes: k.Scopes})
		logger.Info("authentication: api key configured", "name", k.Name, "headers", strings.Join(k.HeaderNames, ","), "scopes", strings.Join(k.Scopes, " "))
	}
	return authn.NewAPIKeys(keys)
}

package app

import (
	"log/slog"

	"github.com/shopsupergraph/shop/router/internal/authz"
	"github.com/shopsupergraph/shop/router/internal/config"
	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// PolicyRule defines one policy @policy names (router.yaml
// authorization.policies.<name>).
type PolicyRule = config.PolicyRule

// ClaimValues are the values a policy accepts for one claim.
type ClaimValues = config.ClaimValues

// authorization turns the authorization section into the engine's
// settings (the directives are enforced unless turned off).
func authorization(cfg Config) authz.Config {
	a := cfg.Authorization
	out := authz.Config{
		RequireAuthentication: a.RequireAuthentication,
		Directives:            cfg.AuthorizationDirectivesEnabled(),
		RejectUnauthorized:    a.Directives.RejectUnauthorized,
		Policies:              make(map[string]authz.Policy, len(a.Policies)),
	}
	for name, p := range a.Policies {
		claims := make(map[string][]string, len(p.Claims))
		for k, v := range p.Claims {
			claims[k] = v
		}
		out.Policies[name] = authz.Policy{Claims: claims}
	}
	return out
}

// warnAnonymous logs, when a graph loads, that its authorization
// directives will refuse every guarded field: the router verifies no
// token, so every request is anonymous to it.
func warnAnonymous(cfg Config, sg *supergraph.Supergraph, logger *slog.Logger) {
	if cfg.AuthenticationEnabled() || cfg.APIKeysEnabled() || !cfg.AuthorizationDirectivesEnabled() || sg.AccessRules().Empty() {
		return
	}
	logger.Warn("authorization: the supergraph has @authenticated, @requiresScopes or @policy but authentication.router.jwt.jwks is not set, so every request is anonymous and the fields they guard are always removed; configure authentication or set authorization.directives.enabled: false")
}

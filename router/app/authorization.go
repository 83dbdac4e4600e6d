package app

import (
	"github.com/shopsupergraph/shop/router/internal/authz"
	"github.com/shopsupergraph/shop/router/internal/config"
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

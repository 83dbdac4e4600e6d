package config

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Authorization configures the enforcement of the supergraph's
// @authenticated, @requiresScopes and @policy directives (on by default)
// and whether anonymous requests are refused. Claims come from the
// verified tokens of the authentication section.
type Authorization struct {
	// RequireAuthentication refuses requests without verified claims with
	// 401 UNAUTHENTICATED.
	RequireAuthentication bool `yaml:"require_authentication"`
	// Directives controls the authorization directives.
	Directives AuthorizationDirectives `yaml:"directives"`
	// Policies defines the policies @policy names, by name.
	Policies map[string]PolicyRule `yaml:"policies"`
}

// AuthorizationDirectives controls the authorization directives.
type AuthorizationDirectives struct {
	// Enabled enforces them (default true).
	Enabled *bool `yaml:"enabled"`
	// RejectUnauthorized refuses an operation with any unauthorized field
	// instead of removing those fields.
	RejectUnauthorized bool `yaml:"reject_unauthorized"`
}

// PolicyRule is satisfied when every named claim matches one of its
// values: a string claim equals it, an array claim contains it, a boolean
// claim is written "true" or "false".
type PolicyRule struct {
	Claims map[string]ClaimValues `yaml:"claims"`
}

// ClaimValues are the values a claim may have; YAML gives one value or a
// list.
type ClaimValues []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (v *ClaimValues) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*v = ClaimValues{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(ClaimValues, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a claim value must be a scalar", c.Line)
			}
			out = append(out, c.Value)
		}
		*v = out
		return nil
	}
	return fmt.Errorf("line %d: a claim value must be a scalar or a list of scalars", n.Line)
}

// AuthorizationDirectivesEnabled reports whether the directives are enforced.
func (c Config) AuthorizationDirectivesEnabled() bool {
	return c.Authorization.Directives.Enabled == nil || *c.Authorization.Directives.Enabled
}

// validateAuthorization reports the authorization section's problems.
func (c Config) validateAuthorization() []error {
	a := c.Authorization
	var errs []error
	if a.RequireAuthentication && !c.AuthenticationEnabled() && !c.APIKeysEnabled() {
		errs = append(errs, errors.New("authorization.require_authentication: needs authentication.router.jwt.jwks (or ROUTER_JWKS_URL) or authentication.router.api_keys, the sources of principals"))
	}
	for name, p := range a.Policies {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, errors.New("authorization.policies: a policy needs a name"))
		}
		if len(p.Claims) == 0 {
			errs = append(errs, fmt.Errorf("authorization.policies.%s.claims: at least one claim is required (a policy without any would admit every token)", name))
		}
		for claim, values := range p.Claims {
			if len(values) == 0 {
				errs = append(errs, fmt.Errorf("authorization.policies.%s.claims.%s: at least one value is required", name, claim))
			}
		}
	}
	return errs
}

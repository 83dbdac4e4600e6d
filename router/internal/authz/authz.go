// Package authz enforces the authorization directives of a supergraph
// (@authenticated, @requiresScopes, @policy) as Apollo Router does: before
// planning, every field the request may not see is removed from the
// operation, so no subgraph is asked for it, and the response carries null
// and an UNAUTHORIZED_FIELD_OR_TYPE error in its place.
package authz

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// Config is the authorization section of router.yaml.
type Config struct {
	// RequireAuthentication refuses requests without verified claims (401).
	RequireAuthentication bool
	// Directives turns enforcement of the directives on (default true).
	Directives bool
	// RejectUnauthorized refuses the whole operation when any field is
	// unauthorized, instead of removing the fields.
	RejectUnauthorized bool
	// Policies defines the policy names @policy refers to.
	Policies map[string]Policy
}

// Policy is satisfied when every claim it names matches: a claim matches
// a string when it equals it or, being an array, contains it; it matches
// a list of strings when it matches any of them.
type Policy struct {
	Claims map[string][]string
}

// Principal is what authorization knows of a request: whether it carries
// verified claims, their scopes and the configured policies they satisfy.
type Principal struct {
	Authenticated bool
	Scopes        []string // sorted, unique
	Policies      []string // sorted
	key           string
}

// Key identifies the principal's rights: two requests with the same key
// get the same authorization decisions.
func (p Principal) Key() string { return p.key }

// Authorizer decides which fields of an operation a principal may see.
type Authorizer struct {
	rules    supergraph.AccessRules
	cfg      Config
	policies []string // configured policy names, sorted
}

// New returns the authorizer for a supergraph's rules. Policy names the
// supergraph uses but the configuration does not define are never
// satisfied; they are logged once here.
func New(rules supergraph.AccessRules, cfg Config, logger *slog.Logger) *Authorizer {
	a := &Authorizer{rules: rules, cfg: cfg}
	for name := range cfg.Policies {
		a.policies = append(a.policies, name)
	}
	sort.Strings(a.policies)
	if logger != nil && cfg.Directives {
		var unknown []string
		note := func(acc supergraph.Access) {
			for _, and := range acc.Policies {
				for _, p := range and {
					if _, ok := cfg.Policies[p]; !ok && !slices.Contains(unknown, p) {
						unknown = append(unknown, p)
					}
				}
			}
		}
		for _, acc := range rules.Types {
			note(acc)
		}
		for _, acc := range rules.Fields {
			note(acc)
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			logger.Warn("authorization: the supergraph uses policies router.yaml does not define; fields that need them are never authorized",
				"policies", strings.Join(unknown, ", "))
		}
	}
	return a
}

// Filters reports whether operations need a walk at all: directives are
// enforced and the supergraph applies some.
func (a *Authorizer) Filters() bool {
	return a != nil && a.cfg.Directives && !a.rules.Empty()
}

// RequireAuthentication reports whether requests without claims are refused.
func (a *Authorizer) RequireAuthentication() bool { return a != nil && a.cfg.RequireAuthentication }

// RejectUnauthorized reports whether an operation with an unauthorized
// field is refused as a whole.
func (a *Authorizer) RejectUnauthorized() bool { return a != nil && a.cfg.RejectUnauthorized }

// PrincipalFrom reads the principal of a request from its verified claims
// (authn.FromContext): scopes from the space-separated "scope" claim (an
// array of strings is accepted too), policies from the configured rules.
// A valid API key (authn.KeyHolderFrom) makes the request authenticated
// and adds the key's scopes; policies still come from claims alone.
func (a *Authorizer) PrincipalFrom(ctx context.Context) Principal {
	claims, ok := authn.FromContext(ctx)
	holder := authn.KeyHolderFrom(ctx)
	if !ok && holder == nil {
		return Principal{key: "-"}
	}
	p := Principal{Authenticated: true}
	switch s := claims["scope"].(type) {
	case string:
		p.Scopes = strings.Fields(s)
	case []any:
		for _, v := range s {
			if str, ok := v.(string); ok {
				p.Scopes = append(p.Scopes, str)
			}
		}
	}
	if holder != nil {
		p.Scopes = append(p.Scopes, holder.Scopes...)
	}
	sort.Strings(p.Scopes)
	p.Scopes = slices.Compact(p.Scopes)
	if ok {
		for _, name := range a.policies {
			if a.cfg.Policies[name].satisfiedBy(claims) {
				p.Policies = append(p.Policies, name)
			}
		}
	}
	p.key = "+" + strings.Join(p.Scopes, " ") + "\x00" + strings.Join(p.Policies, " ")
	return p
}

func (pol Policy) satisfiedBy(claims authn.Claims) bool {
	for name, want := range pol.Claims {
		if !claimMatches(claims[name], want) {
			return false
		}
	}
	return true
}

func claimMatches(v any, want []string) bool {
	switch x := v.(type) {
	case string:
		return slices.Contains(want, x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && slices.Contains(want, s) {
				return true
			}
		}
	case bool:
		return slices.Contains(want, map[bool]string{true: "true", false: "false"}[x])
	}
	return false
}

// allows reports whether the principal meets a requirement.
func (p Principal) allows(acc supergraph.Access) bool {
	if (acc.Authenticated || acc.Scopes != nil || acc.Policies != nil) && !p.Authenticated {
		return false
	}
	if acc.Scopes != nil && !anyAll(acc.Scopes, p.Scopes) {
		return false
	}
	if acc.Policies != nil && !anyAll(acc.Policies, p.Policies) {
		return false
	}
	return true
}

// anyAll reports whether one of the AND-lists is wholly in have (sorted).
func anyAll(alternatives [][]string, have []string) bool {
	for _, and := range alternatives {
		ok := true
		for _, s := range and {
			if _, found := slices.BinarySearch(have, s); !found {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

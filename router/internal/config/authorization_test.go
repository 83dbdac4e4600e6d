package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestAuthorizationDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.AuthorizationDirectivesEnabled() || c.Authorization.RequireAuthentication || c.Authorization.Directives.RejectUnauthorized {
		t.Fatalf("authorization defaults: %+v", c.Authorization)
	}
}

func TestAuthorizationYAML(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "router.yaml")
	yaml := `
supergraph: s.graphql
authentication: {router: {jwt: {jwks: [{url: "http://users:4001/.well-known/jwks.json"}]}}}
authorization:
  require_authentication: true
  directives: {enabled: false, reject_unauthorized: true}
  policies:
    admin: {claims: {role: admin}}
    staff: {claims: {groups: [staff, ops], email_verified: true}}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[string]PolicyRule{
		"admin": {Claims: map[string]ClaimValues{"role": {"admin"}}},
		"staff": {Claims: map[string]ClaimValues{"groups": {"staff", "ops"}, "email_verified": {"true"}}},
	}
	if !reflect.DeepEqual(c.Authorization.Policies, want) {
		t.Fatalf("policies %+v", c.Authorization.Policies)
	}
	if c.AuthorizationDirectivesEnabled() || !c.Authorization.Directives.RejectUnauthorized || !c.Authorization.RequireAuthentication {
		t.Fatalf("authorization %+v", c.Authorization)
	}
}

func TestAuthorizationValidate(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Supergraph = "s.graphql"
	c.Authorization.RequireAuthentication = true
	c.Authorization.Policies = map[string]PolicyRule{"open": {}, "odd": {Claims: map[string]ClaimValues{"role": {}}}}
	err := c.Validate()
	for _, part := range []string{"authorization.require_authentication", "authorization.policies.open.claims", "authorization.policies.odd.claims.role"} {
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Fatalf("error %v does not report %s", err, part)
		}
	}
	path := filepath.Join(t.TempDir(), "router.yaml")
	if err := os.WriteFile(path, []byte("authorization: {policies: {x: {claims: {role: {nested: 1}}}}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, []string{}); err == nil || !strings.Contains(err.Error(), "claim value") {
		t.Fatalf("a nested claim value loaded: %v", err)
	}
}

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAuthenticationOffByDefault(t *testing.T) {
	t.Parallel()
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthenticationEnabled() || c.Authentication.Require {
		t.Fatalf("authentication is on by default: %+v", c.Authentication)
	}
	if c.Authentication.HeaderName != "Authorization" || c.Authentication.HeaderPrefix != "Bearer" {
		t.Fatalf("header defaults: %+v", c.Authentication)
	}
}

func TestAuthenticationYAMLAndEnv(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "router.yaml")
	yaml := `
supergraph: s.graphql
authentication:
  jwks:
    - {url: "http://users:4001/.well-known/jwks.json", refresh_interval: 1m, algorithms: [EdDSA]}
    - {url: "https://idp.example/jwks"}
  header_name: X-Token
  header_prefix: ""
  require: true
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
	want := Authentication{
		JWKS: []JWKS{
			{URL: "http://users:4001/.well-known/jwks.json", RefreshInterval: time.Minute, Algorithms: []string{"EdDSA"}},
			{URL: "https://idp.example/jwks"},
		},
		HeaderName: "X-Token", HeaderPrefix: "", Require: true,
	}
	if !reflect.DeepEqual(c.Authentication, want) {
		t.Fatalf("yaml: %+v", c.Authentication)
	}

	// The variables apply whatever their order in the environment.
	env := []string{"ROUTER_JWKS_ALGORITHMS=RS256", "ROUTER_JWKS_REFRESH_INTERVAL=2m", "ROUTER_JWKS_URL=http://users:4001/.well-known/jwks.json", "ROUTER_AUTHENTICATION_REQUIRE=false"}
	c, err = Load(path, env)
	if err != nil {
		t.Fatal(err)
	}
	want = Authentication{
		JWKS:       []JWKS{{URL: "http://users:4001/.well-known/jwks.json", RefreshInterval: 2 * time.Minute, Algorithms: []string{"RS256"}}},
		HeaderName: "X-Token", HeaderPrefix: "",
	}
	if !reflect.DeepEqual(c.Authentication, want) {
		t.Fatalf("env over yaml: %+v", c.Authentication)
	}
	// Without a URL the interval and algorithms adjust the yaml's sets.
	c, err = Load(path, []string{"ROUTER_JWKS_ALGORITHMS=EdDSA,RS256"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Authentication.JWKS) != 2 || c.Authentication.JWKS[1].Algorithms[1] != "RS256" || c.Authentication.JWKS[0].RefreshInterval != time.Minute {
		t.Fatalf("env algorithms: %+v", c.Authentication.JWKS)
	}
	// An empty URL turns verification off.
	c, err = Load(path, []string{"ROUTER_JWKS_URL=", "ROUTER_AUTHENTICATION_REQUIRE=false"})
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthenticationEnabled() {
		t.Fatalf("ROUTER_JWKS_URL= left %+v", c.Authentication.JWKS)
	}
}

func TestAuthenticationValidation(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Supergraph = "s.graphql"
	c.Authentication = Authentication{
		JWKS: []JWKS{
			{URL: "users:4001/jwks.json"},
			{URL: "http://users:4001/jwks.json", RefreshInterval: -time.Second, Algorithms: []string{"EdDSA", "HS256", "none"}},
		},
		HeaderName:   "Bad Header",
		HeaderPrefix: "Bearer token",
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid authentication accepted")
	}
	for _, want := range []string{"authentication.jwks[0].url", "authentication.jwks[1].refresh_interval", `"HS256" cannot be verified`, `"none" cannot be verified`, "authentication.header_name", "authentication.header_prefix"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	c = Default()
	c.Supergraph = "s.graphql"
	c.Authentication.Require = true
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "authentication.require: needs authentication.jwks") {
		t.Fatalf("require without a key set: %v", err)
	}
	if _, err := Load("", []string{"ROUTER_JWKS_REFRESH_INTERVAL=soon", "ROUTER_AUTHENTICATION_REQUIRE=maybe"}); err == nil ||
		!strings.Contains(err.Error(), "ROUTER_JWKS_REFRESH_INTERVAL") || !strings.Contains(err.Error(), "ROUTER_AUTHENTICATION_REQUIRE") {
		t.Fatalf("bad env values: %v", err)
	}
}

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
	if j := c.Authentication.Router.JWT; j.HeaderName != "Authorization" || j.HeaderValuePrefix != "Bearer" {
		t.Fatalf("header defaults: %+v", j)
	}
}

func writeYAML(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "router.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAuthenticationApolloKeys reads Apollo Router's
// authentication.router.jwt keys, then the environment over them.
func TestAuthenticationApolloKeys(t *testing.T) {
	t.Parallel()
	path := writeYAML(t, `
supergraph: s.graphql
authentication:
  router:
    jwt:
      jwks:
        - url: file:///var/lib/shop/jwks.json
          issuer: https://issuer.example
          audiences: [shop]
          algorithms: [HS256]
          poll_interval: 30s
        - url: http://users:4001/.well-known/jwks.json
          issuers: [https://a.example, https://b.example]
      header_name: X-Token
      header_value_prefix: ""
      clock_skew: 5s
  require: true
`)
	c, err := Load(path, []string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := Authentication{
		Router: AuthenticationRouter{JWT: JWT{
			JWKS: []JWKS{
				{URL: "file:///var/lib/shop/jwks.json", Issuer: "https://issuer.example", Audiences: []string{"shop"}, Algorithms: []string{"HS256"}, PollInterval: 30 * time.Second},
				{URL: "http://users:4001/.well-known/jwks.json", Issuers: []string{"https://a.example", "https://b.example"}},
			},
			HeaderName: "X-Token", HeaderValuePrefix: "", ClockSkew: 5 * time.Second,
		}},
		Require: true,
	}
	if !reflect.DeepEqual(c.Authentication, want) {
		t.Fatalf("yaml:\n got %+v\nwant %+v", c.Authentication, want)
	}
	if got := c.Authentication.Router.JWT.JWKS[0].AllIssuers(); !reflect.DeepEqual(got, []string{"https://issuer.example"}) {
		t.Fatalf("issuers %v", got)
	}

	// The variables apply whatever their order in the environment.
	env := []string{
		"ROUTER_JWKS_ALGORITHMS=RS256,ES256", "ROUTER_JWKS_REFRESH_INTERVAL=2m", "ROUTER_JWT_AUDIENCES=shop, admin",
		"ROUTER_JWKS_URL=http://users:4001/.well-known/jwks.json,file:///etc/jwks.json", "ROUTER_JWT_ISSUER=https://users.example",
		"ROUTER_AUTHENTICATION_REQUIRE=false",
	}
	c, err = Load(path, env)
	if err != nil {
		t.Fatal(err)
	}
	set := JWKS{Issuers: []string{"https://users.example"}, Audiences: []string{"shop", "admin"}, Algorithms: []string{"RS256", "ES256"}, PollInterval: 2 * time.Minute}
	set1, set2 := set, set
	set1.URL, set2.URL = "http://users:4001/.well-known/jwks.json", "file:///etc/jwks.json"
	want.Router.JWT.JWKS, want.Require = []JWKS{set1, set2}, false
	if !reflect.DeepEqual(c.Authentication, want) {
		t.Fatalf("env over yaml:\n got %+v\nwant %+v", c.Authentication, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// Without a URL the other variables adjust the yaml's sets.
	c, err = Load(path, []string{"ROUTER_JWKS_ALGORITHMS=EdDSA,PS512"})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Authentication.Router.JWT.JWKS; len(s) != 2 || s[1].Algorithms[1] != "PS512" || s[0].PollInterval != 30*time.Second || s[0].Issuer != "https://issuer.example" {
		t.Fatalf("env algorithms: %+v", s)
	}
	// An empty URL turns verification off.
	c, err = Load(path, []string{"ROUTER_JWKS_URL=", "ROUTER_AUTHENTICATION_REQUIRE=false"})
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthenticationEnabled() {
		t.Fatalf("ROUTER_JWKS_URL= left %+v", c.Authentication.Router.JWT.JWKS)
	}
}

// TestAuthenticationOldKeysRefused: the keys of the first, pre-Apollo
// layout are unknown now, and unknown keys are an error.
func TestAuthenticationOldKeysRefused(t *testing.T) {
	t.Parallel()
	for _, yaml := range []string{
		"authentication:\n  jwks: [{url: \"http://users:4001/.well-known/jwks.json\"}]\n",
		"authentication:\n  header_prefix: Bearer\n",
		"authentication:\n  header_name: Authorization\n",
		"authentication:\n  router:\n    jwt:\n      jwks: [{url: \"http://users/jwks\", refresh_interval: 1m}]\n",
		"authentication:\n  router:\n    jwt:\n      header_prefix: Bearer\n",
	} {
		if _, err := Load(writeYAML(t, yaml), []string{}); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%q: want an unknown-field error, got %v", yaml, err)
		}
	}
}

func TestAuthenticationValidation(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Supergraph = "s.graphql"
	c.Authentication.Router.JWT = JWT{
		JWKS: []JWKS{
			{URL: "users:4001/jwks.json"},
			{URL: "http://users:4001/jwks.json", PollInterval: -time.Second, Algorithms: []string{"EdDSA", "HS256", "none", "ES256K"}},
			{URL: "file://relative/jwks.json", Audiences: []string{" "}},
		},
		HeaderName:        "Bad Header",
		HeaderValuePrefix: "Bearer token",
		ClockSkew:         -time.Second,
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid authentication accepted")
	}
	for _, want := range []string{
		"authentication.router.jwt.jwks[0].url", "authentication.router.jwt.jwks[1].poll_interval", `"none" is not one of`, `"ES256K" is not one of`,
		"jwks[2].url: a file URL needs an absolute path", "jwks[2]: empty issuer or audience",
		"authentication.router.jwt.header_name", "authentication.router.jwt.header_value_prefix", "authentication.router.jwt.clock_skew",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"HS256"`) || strings.Contains(err.Error(), `"EdDSA"`) {
		t.Errorf("a valid algorithm refused: %v", err)
	}
	c = Default()
	c.Supergraph = "s.graphql"
	c.Authentication.Require = true
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "authentication.require: needs authentication.router.jwt.jwks") {
		t.Fatalf("require without a key set: %v", err)
	}
	if _, err := Load("", []string{"ROUTER_JWKS_REFRESH_INTERVAL=soon", "ROUTER_AUTHENTICATION_REQUIRE=maybe"}); err == nil ||
		!strings.Contains(err.Error(), "ROUTER_JWKS_REFRESH_INTERVAL") || !strings.Contains(err.Error(), "ROUTER_AUTHENTICATION_REQUIRE") {
		t.Fatalf("bad env values: %v", err)
	}
}

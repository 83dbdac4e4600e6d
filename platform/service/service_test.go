package service

import (
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
)

func TestLoadCommonDefaultsAndProblems(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "dev"})
	c := LoadCommon(env, "users", ":4001")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if c.AdminAPIKey != "dev" || c.MongoDB != "shop_users" || c.ServiceToken == "" || c.ServiceToken == "dev" {
		t.Fatalf("defaults: %+v", c)
	}

	env = config.FromMap(map[string]string{"SHOP_ENV": "production", "API_SECRET": "weak", "MONGO_URI": "mongodb://u:pw@h/x"})
	c = LoadCommon(env, "users", ":4001")
	err := env.Err()
	if err == nil || !strings.Contains(err.Error(), "API_SECRET must be at least") || !strings.Contains(err.Error(), "ADMIN_API_KEY") {
		t.Fatalf("production with weak secret: %v", err)
	}
	if s := c.String(); strings.Contains(s, "pw") || strings.Contains(s, "weak") {
		t.Fatalf("String leaks secrets: %s", s)
	}
	env = config.FromMap(map[string]string{})
	LoadCommon(env, "users", ":4001")
	if env.Err() == nil {
		t.Fatal("missing API_SECRET accepted")
	}
}

// TestLoadCommonLimits: the HTTP and GraphQL limits come with the shared
// variables; introspection is off by default in production only.
func TestLoadCommonLimits(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "dev", "HTTP_MAX_BODY_BYTES": "4096", "GRAPHQL_MAX_DEPTH": "9"})
	c := LoadCommon(env, "users", ":4001")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if c.HTTP.MaxBodyBytes != 4096 || c.GraphQL.MaxDepth != 9 || !c.GraphQL.Introspection {
		t.Fatalf("limits: %+v %+v", c.HTTP, c.GraphQL)
	}
	env = config.FromMap(map[string]string{
		"SHOP_ENV": "production", "API_SECRET": strings.Repeat("s", 40), "ADMIN_API_KEY": strings.Repeat("k", 20),
	})
	if c := LoadCommon(env, "users", ":4001"); c.GraphQL.Introspection || env.Err() != nil {
		t.Fatalf("production: introspection %t, %v", c.GraphQL.Introspection, env.Err())
	}
	env = config.FromMap(map[string]string{"API_SECRET": "dev", "HTTP_MAX_CONNS": "-5"})
	LoadCommon(env, "users", ":4001")
	if err := env.Err(); err == nil || !strings.Contains(err.Error(), "HTTP_MAX_CONNS") {
		t.Fatalf("negative cap: %v", err)
	}
}

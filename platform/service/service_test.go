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

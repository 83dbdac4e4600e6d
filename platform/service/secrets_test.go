package service

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
)

// Secrets that pass every production check, for the tests below.
const (
	goodAPISecret = "Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn"
	goodAdminKey  = "hV7mQ2xK9pL4wR8s"
	goodInternal  = "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2"
)

func prodVars(extra map[string]string) map[string]string {
	m := map[string]string{
		"SHOP_ENV": "production", "API_SECRET": goodAPISecret,
		"ADMIN_API_KEY": goodAdminKey, "INTERNAL_API_SECRET": goodInternal,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// TestEnvExamplePlaceholdersRefused: `cp .env.example .env && docker
// compose up` must not start in production with the example's secrets.
// The placeholder API_SECRET of the past (47 characters) passed the
// length check alone.
func TestEnvExamplePlaceholdersRefused(t *testing.T) {
	t.Parallel()
	example, err := config.ReadDotEnv(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	if example["SHOP_ENV"] != "production" {
		t.Fatalf(".env.example SHOP_ENV = %q; the test assumes production", example["SHOP_ENV"])
	}
	env := config.FromMap(example)
	LoadCommon(env, "users", ":4001")
	err = env.Err()
	for _, name := range []string{"API_SECRET", "ADMIN_API_KEY", "INTERNAL_API_SECRET"} {
		if example[name] == "" {
			t.Errorf(".env.example leaves %s empty: it should hold a placeholder production refuses", name)
			continue
		}
		if err == nil || !strings.Contains(err.Error(), name+" is a placeholder") {
			t.Errorf("%s=%q from .env.example: err = %v, want it refused as a placeholder", name, example[name], err)
		}
		// Each placeholder alone, with the other secrets fit.
		env := config.FromMap(prodVars(map[string]string{name: example[name]}))
		LoadCommon(env, "users", ":4001")
		if err := env.Err(); err == nil || !strings.Contains(err.Error(), name+" is a placeholder") {
			t.Errorf("%s=%q alone: err = %v", name, example[name], err)
		}
	}
}

func TestProductionSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		vars map[string]string
		want string // substring of the error; "" = valid
	}{
		{"fit", prodVars(nil), ""},
		{"old example secret", prodVars(map[string]string{"API_SECRET": "replace-me-with-a-long-random-secret-0123456789"}), "API_SECRET is a placeholder"},
		{"jwt.io's secret", prodVars(map[string]string{"ADMIN_API_KEY": "your-256-bit-secret"}), "ADMIN_API_KEY is a placeholder"},
		{"example inside", prodVars(map[string]string{"API_SECRET": "an-EXAMPLE-secret-that-is-long-enough-xyz"}), "API_SECRET is a placeholder"},
		{"short", prodVars(map[string]string{"API_SECRET": "Zq3vN8tLw1xR6pYb"}), "API_SECRET must be at least 32 characters in production (got 16)"},
		{"one character", prodVars(map[string]string{"API_SECRET": strings.Repeat("a", 40)}), "API_SECRET is too predictable"},
		{"repeated word", prodVars(map[string]string{"API_SECRET": strings.Repeat("hunter2!", 5)}), "API_SECRET is too predictable"},
		{"counting", prodVars(map[string]string{"INTERNAL_API_SECRET": "abcdefghijklmnopqrstuvwxyz0123456789"}), "INTERNAL_API_SECRET is too predictable"},
		{"two letters", prodVars(map[string]string{"ADMIN_API_KEY": "abbaabababbbaabbab"}), "ADMIN_API_KEY is too predictable"},
		{"no admin key", prodVars(map[string]string{"ADMIN_API_KEY": ""}), "ADMIN_API_KEY is required in production"},
		{"admin key is API_SECRET", prodVars(map[string]string{"ADMIN_API_KEY": goodAPISecret}), "ADMIN_API_KEY must differ from API_SECRET"},
		{"admin key is the internal secret", prodVars(map[string]string{"ADMIN_API_KEY": goodInternal}), "INTERNAL_API_SECRET must differ from ADMIN_API_KEY"},
		{"no API_SECRET", prodVars(map[string]string{"API_SECRET": ""}), "API_SECRET is required"},
		{"secrets from files", prodVars(map[string]string{
			"API_SECRET": "", "API_SECRET_FILE": file("api", goodAPISecret+"\n"),
			"ADMIN_API_KEY": "", "ADMIN_API_KEY_FILE": file("admin", goodAdminKey+"\n"),
			"INTERNAL_API_SECRET": "", "INTERNAL_API_SECRET_FILE": file("internal", goodInternal),
		}), ""},
		{"placeholder in a file", prodVars(map[string]string{"ADMIN_API_KEY": "", "ADMIN_API_KEY_FILE": file("ph", "change-me-admin-key\n")}), "ADMIN_API_KEY is a placeholder"},
		{"both value and file", prodVars(map[string]string{"API_SECRET_FILE": file("api2", goodAPISecret)}), "set API_SECRET or API_SECRET_FILE, not both"},
		{"missing file", prodVars(map[string]string{"INTERNAL_API_SECRET": "", "INTERNAL_API_SECRET_FILE": filepath.Join(dir, "none")}), "INTERNAL_API_SECRET_FILE: read secret file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := config.FromMap(c.vars)
			got := LoadCommon(env, "orders", ":4003")
			err := env.Err()
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.APISecret != goodAPISecret || got.AdminAPIKey != goodAdminKey || got.ServiceToken != goodInternal {
					t.Fatalf("secrets = %q %q %q", got.APISecret, got.AdminAPIKey, got.ServiceToken)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestDevelopmentSecretsUnchanged: `make run` sets API_SECRET alone, and
// development accepts what production refuses.
func TestDevelopmentSecretsUnchanged(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "change-me-api-secret", "ADMIN_API_KEY": ""})
	c := LoadCommon(env, "users", ":4001")
	if err := env.Err(); err != nil || c.AdminAPIKey != "change-me-api-secret" {
		t.Fatalf("admin key %q, err %v", c.AdminAPIKey, err)
	}
}

// TestMongoURIFromFile: the URI may carry a password, so it is a secret too.
func TestMongoURIFromFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "uri")
	if err := os.WriteFile(p, []byte("mongodb://shop:pw@db:27017\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := config.FromMap(map[string]string{"API_SECRET": "dev", "MONGO_URI_FILE": p})
	if c := LoadCommon(env, "users", ":4001"); env.Err() != nil || c.MongoURI != "mongodb://shop:pw@db:27017" {
		t.Fatalf("MongoURI = %q, %v", c.MongoURI, env.Err())
	}
	env = config.FromMap(map[string]string{"API_SECRET": "dev"})
	if c := LoadCommon(env, "users", ":4001"); c.MongoURI != "mongodb://localhost:27017" {
		t.Fatalf("default MongoURI = %q", c.MongoURI)
	}
}

// TestRandomSecretsPass: the predictability checks leave random secrets
// alone, even short hexadecimal ones.
func TestRandomSecretsPass(t *testing.T) {
	t.Parallel()
	gens := map[string]func([]byte) string{
		"hex":    hex.EncodeToString,
		"base64": base64.StdEncoding.EncodeToString,
	}
	for name, enc := range gens {
		for _, n := range []int{8, 12, 16, 24, 36} {
			for range 3000 {
				b := make([]byte, n)
				if _, err := rand.Read(b); err != nil {
					t.Fatal(err)
				}
				s := enc(b)
				if len(s) < MinAdminKeyLength {
					continue
				}
				if err := CheckSecret("X", s, MinAdminKeyLength); err != nil {
					t.Fatalf("%s of %d bytes %q: %v", name, n, s, err)
				}
			}
		}
	}
}

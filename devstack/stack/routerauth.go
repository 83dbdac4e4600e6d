package stack

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shopsupergraph/shop/platform/auth"
	routerapp "github.com/shopsupergraph/shop/router/app"
	usersapp "github.com/shopsupergraph/shop/subgraphs/users/app"
)

// RouterJWKSFile is the file in the data folder holding the JWK set the
// stack's router verifies tokens with: API_SECRET as a symmetric (oct)
// key, since users signs HS256 tokens with it.
const RouterJWKSFile = "router-jwks.json"

// routerJWKS returns the key set the stack's router verifies bearer tokens
// against, so the router knows who calls it (authentication.router.jwt).
// With TOKEN_SIGNING_KEY users signs with a private key and publishes its
// public keys, which the router fetches; otherwise tokens are HS256 with
// API_SECRET, which the stack writes as an oct key to RouterJWKSFile
// (mode 0600: it is the signing secret). Anonymous requests stay allowed.
func routerJWKS(dataDir string, env map[string]string, usersBase string) (routerapp.JWKSConfig, error) {
	if env["TOKEN_SIGNING_KEY"] != "" || env["TOKEN_SIGNING_KEY_FILE"] != "" {
		return routerapp.JWKSConfig{URL: usersBase + usersapp.JWKSPath}, nil
	}
	set, err := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "oct", "use": "sig", "alg": "HS256",
		"k": base64.RawURLEncoding.EncodeToString([]byte(env["API_SECRET"])),
	}}})
	if err != nil {
		return routerapp.JWKSConfig{}, fmt.Errorf("router jwks: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, RouterJWKSFile))
	if err != nil {
		return routerapp.JWKSConfig{}, fmt.Errorf("router jwks: %w", err)
	}
	// A new file renamed over the old one: created 0600 whatever the
	// umask or an older file's mode, and never read half-written.
	f, err := os.CreateTemp(filepath.Dir(path), RouterJWKSFile+".*")
	if err != nil {
		return routerapp.JWKSConfig{}, fmt.Errorf("router jwks: %w", err)
	}
	_, werr := f.Write(set)
	cerr := f.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil || cerr != nil {
		_ = os.Remove(f.Name())
		return routerapp.JWKSConfig{}, fmt.Errorf("router jwks: write %s: %w", path, errors.Join(werr, cerr))
	}
	return routerapp.JWKSConfig{URL: "file://" + filepath.ToSlash(path), Algorithms: []string{"HS256"}}, nil
}

// withAdminKey adds the stack's admin key to the router's API keys
// (authentication.router.api_keys), unless the configuration names one
// "admin" already: the router then counts a request presenting it in
// x-api-key or x-api-token as a principal holding every staff scope, so
// the seed's createProduct passes @requiresScopes at the router.
func withAdminKey(keys []routerapp.APIKeyConfig, adminKey string) []routerapp.APIKeyConfig {
	for _, k := range keys {
		if k.Name == "admin" {
			return keys
		}
	}
	return append(keys, routerapp.APIKeyConfig{
		Name: "admin", HeaderNames: []string{auth.HeaderAPIKey, auth.HeaderAPIToken},
		Key: adminKey, Scopes: auth.AllScopes(),
	})
}

package app_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
)

const testAPIKey = "router-test-admin-key-0123456789"

// TestAPIKeyIsAPrincipal: a valid API key counts as authenticated and
// holds its scopes, whether or not tokens are verified too, so
// @authenticated and @requiresScopes fields pass; a wrong key is refused
// with 401 before anything reaches a subgraph; the key is forwarded to
// the subgraphs as before.
func TestAPIKeyIsAPrincipal(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "api-secret")
	if err := os.WriteFile(keyFile, []byte(testAPIKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url, sgs, key := authzRouter(t, func(c *app.Config) {
		c.Authentication.Router.APIKeys = []app.APIKeyConfig{{
			Name: "admin", HeaderNames: []string{"x-api-key", "x-api-token"},
			KeyFile: keyFile, Scopes: []string{"inventory:read"},
		}}
	})
	// quantity needs the scope inventory:read, price (@authenticated) a
	// principal.
	const q = `{ products { id quantity } product(id: "p1") { price } }`
	granted := `{"data":{"products":[{"id":"p1","quantity":7},{"id":"p2","quantity":0},{"id":"p3","quantity":null}],"product":{"price":25}}}`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
		want    string
	}{
		{"x-api-key", map[string]string{"x-api-key": testAPIKey}, http.StatusOK, granted},
		{"x-api-token alias", map[string]string{"X-Api-Token": testAPIKey}, http.StatusOK, granted},
		{"both headers", map[string]string{"x-api-key": testAPIKey, "x-api-token": testAPIKey}, http.StatusOK, granted},
		{"key beside a customer token", map[string]string{"x-api-key": testAPIKey, "Authorization": bearer(t, key, nil)}, http.StatusOK, granted},
		{"wrong key", map[string]string{"x-api-key": testAPIKey + "x"}, http.StatusUnauthorized, `"code":"UNAUTHENTICATED"`},
		{"wrong alias beside a right key", map[string]string{"x-api-key": testAPIKey, "x-api-token": "nope"}, http.StatusUnauthorized, `invalid API key in the X-Api-Token header`},
		{"empty key", map[string]string{"x-api-key": " "}, http.StatusOK, `"code":"UNAUTHORIZED_FIELD_OR_TYPE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postWithHeaders(t, url, q, tc.headers)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("HTTP %d %s\nwant %d with %s", status, body, tc.status, tc.want)
			}
			n := calls(sgs)
			if tc.status != http.StatusOK && n["products"]+n["inventory"]+n["reviews"] != 0 {
				t.Fatalf("a refused request reached subgraphs: %v", n)
			}
			if strings.Contains(body, testAPIKey) {
				t.Fatal("the response echoes the key")
			}
		})
	}
	// The key grants its scopes only and satisfies no policy (policies
	// read token claims): the reviewer-only Review type stays refused.
	_, body := postWithHeaders(t, url, `{ product(id: "p1") { reviews { body } } }`, map[string]string{"x-api-key": testAPIKey})
	if !strings.Contains(body, `"code":"UNAUTHORIZED_FIELD_OR_TYPE"`) {
		t.Fatalf("policy-guarded type with the key: %s", body)
	}
	// The key still reaches the subgraphs, which check it themselves.
	calls(sgs)
	postWithHeaders(t, url, `{ products { id } }`, map[string]string{"x-api-token": testAPIKey})
	reqs := sgs["products"].Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("X-Api-Token") != testAPIKey {
		t.Fatalf("products got %d requests %+v, want one with the key header", len(reqs), reqs)
	}
}

// TestAPIKeyWithoutTokenVerification: API keys work on their own, and
// ROUTER_API_KEY_FILE configures the admin key from the environment.
func TestAPIKeyWithoutTokenVerification(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "api-secret")
	if err := os.WriteFile(keyFile, []byte(testAPIKey), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfigEnv("", []string{"ROUTER_API_KEY_FILE=" + keyFile, "ROUTER_API_KEY_SCOPES=inventory:read"})
	if err != nil {
		t.Fatal(err)
	}
	keys := cfg.Authentication.Router.APIKeys
	if len(keys) != 1 || keys[0].Name != "admin" || strings.Join(keys[0].HeaderNames, ",") != "x-api-key,x-api-token" || keys[0].KeyFile != keyFile {
		t.Fatalf("api keys from env = %+v", keys)
	}
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, withAuthz(t, sdl), func(c *app.Config) { c.Authentication.Router.APIKeys = keys })
	const q = `{ products { id quantity } }`
	if _, body := postWithHeaders(t, srv.URL, q, map[string]string{"x-api-key": testAPIKey}); !strings.Contains(body, `"quantity":7`) || strings.Contains(body, "errors") {
		t.Fatalf("with key: %s", body)
	}
	if _, body := postWithHeaders(t, srv.URL, q, nil); !strings.Contains(body, "UNAUTHORIZED_FIELD_OR_TYPE") {
		t.Fatalf("anonymous: %s", body)
	}
	calls(sgs)
	if status, _ := postWithHeaders(t, srv.URL, q, map[string]string{"x-api-token": "guess"}); status != http.StatusUnauthorized {
		t.Fatalf("wrong key: HTTP %d", status)
	}
	if n := calls(sgs); n["products"] != 0 {
		t.Fatalf("wrong key reached products: %v", n)
	}
}

func TestAPIKeyConfigRefused(t *testing.T) {
	for name, env := range map[string][]string{
		"key and file": {"ROUTER_API_KEY=" + testAPIKey, "ROUTER_API_KEY_FILE=/x"},
		"bad scope":    {"ROUTER_API_KEY=" + testAPIKey, "ROUTER_API_KEY_SCOPES=a b"},
		"bad header":   {"ROUTER_API_KEY=" + testAPIKey, "ROUTER_API_KEY_HEADERS=x api"},
	} {
		cfg, err := app.LoadConfigEnv("", env)
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), testAPIKey) {
			t.Errorf("%s: error shows the key: %v", name, err)
		}
	}
	sdl, _ := startGraph(t, nil)
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]app.APIKeyConfig{
		"empty key file": {Name: "admin", HeaderNames: []string{"x-api-key"}, KeyFile: empty},
		"missing file":   {Name: "admin", HeaderNames: []string{"x-api-key"}, KeyFile: empty + ".missing"},
	} {
		cfg := app.DefaultConfig()
		cfg.Authentication.Router.APIKeys = []app.APIKeyConfig{k}
		if r, err := app.New(cfg, app.WithSupergraphSDL(sdl)); err == nil {
			r.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}

func postWithHeaders(t *testing.T, url, query string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(`{"query":`+strconv.Quote(query)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/usersapi"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

func TestEndpoints(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	cases := map[string]struct {
		method, path, body string
		status             int
		contains           string
	}{
		"health":        {"GET", "/health", "", 200, `"ok"`},
		"ready":         {"GET", "/ready", "", 200, `"ready"`},
		"playground":    {"GET", "/", "", 200, `data-endpoint="/graphql"`},
		"playground js": {"GET", "/playground/app.js", "", 200, "Apollo-Require-Preflight"},
		"graphql GET":   {"GET", "/graphql?query=%7B__typename%7D", "", 200, `"Query"`},
		"unknown path":  {"GET", "/nope", "", 404, ""},
		"malformed":     {"POST", "/graphql", "{", 400, "errors"},
		"syntax error":  {"POST", "/graphql", `{"query":"{ users {"}`, 422, "GRAPHQL_PARSE_FAILED"},
		"unknown field": {"POST", "/graphql", `{"query":"{ nope }"}`, 422, "GRAPHQL_VALIDATION_FAILED"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(c.method, in.URL+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(b), c.contains) {
				t.Fatalf("%s %s = %d %s, want %d containing %q", c.method, c.path, resp.StatusCode, b, c.status, c.contains)
			}
		})
	}
}

// TestServiceSDL checks what the router and compose read: the federation v2
// link, the User key, the seed names and the fields only signed-in users
// may reach (@authenticated).
func TestServiceSDL(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	r := decode[struct {
		Service struct {
			SDL string `json:"sdl"`
		} `json:"_service"`
	}](t, gql(t, in.URL, `{ _service { sdl } }`, nil, nil))
	for _, want := range []string{
		`@link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes", "@shareable"])`,
		`type User @key(fields: "_id")`,
		"users(skip: Int, take: Int): [User]",
		"user(id: ID!): User",
		"me: User @authenticated",
		"registerUser(input: RegisterUserInput): RegisterUserResult",
		"login(input: LoginInput): RegisterUserResult",
		"access_token: String!",
		"type PageInfo @shareable",
		`staffCreate(input: StaffCreateInput!): StaffPayload! @requiresScopes(scopes: [["MANAGE_USERS"]])`,
		`sortBy: UsersSort): UserConnection! @requiresScopes(scopes: [["MANAGE_USERS"]])`,
	} {
		if !strings.Contains(r.Service.SDL, want) {
			t.Errorf("sdl lacks %q", want)
		}
	}
	// PageInfo is the only shared type (the connections' contract).
	if strings.Contains(r.Service.SDL, "entityResolver") || strings.Count(r.Service.SDL, "@shareable") != 2 {
		t.Errorf("sdl carries directives it should not:\n%s", r.Service.SDL)
	}
}

func TestInternalUserLookup(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	u := register(t, in.URL, "gina", "password", ptr("gina@example.com"))
	hc := &http.Client{Timeout: 5 * time.Second}
	good := &usersapi.Client{BaseURL: in.URL, Token: in.Config.ServiceToken, HTTP: hc}
	ctx := context.Background()

	got, err := good.User(ctx, u.User.ID)
	if err != nil || got != (usersapi.User{ID: u.User.ID, Username: "gina"}) {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	for _, id := range []string{primitive.NewObjectID().Hex(), "not-an-id", "..%2f"} {
		if _, err := good.User(ctx, id); !errors.Is(err, usersapi.ErrNotFound) {
			t.Errorf("lookup %q err = %v, want ErrNotFound", id, err)
		}
	}
	for name, tok := range map[string]string{"no token": "", "wrong token": "wrong", "api secret": testSecret} {
		c := &usersapi.Client{BaseURL: in.URL, Token: tok, HTTP: hc}
		if _, err := c.User(ctx, u.User.ID); err == nil || errors.Is(err, usersapi.ErrNotFound) || !strings.Contains(err.Error(), "401") {
			t.Errorf("%s: err = %v, want 401", name, err)
		}
	}
	// The body must carry nothing beyond id and username.
	req, _ := http.NewRequest(http.MethodGet, in.URL+usersapi.PathUsers+u.User.ID, nil)
	req.Header.Set(usersapi.HeaderServiceToken, in.Config.ServiceToken)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), "gina@example.com") || strings.Contains(string(b), "password") {
		t.Fatalf("internal lookup leaks: %s", b)
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	base := func() map[string]string { return map[string]string{"API_SECRET": testSecret} }
	cfg, err := LoadConfig(config.FromMap(base()))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != ":4001" || cfg.MongoDB != "shop_users" || cfg.TokenTTL != 24*time.Hour || cfg.BcryptCost != 10 {
		t.Fatalf("defaults = %+v", cfg)
	}
	l := cfg.Limits
	if l.MaxFailuresPerUserAddr != 5 || l.MaxAttemptsPerAddr != 20 || l.Window != 15*time.Minute || l.MaxRegistrationsPerAddr != 10 ||
		l.UserBackoffAfter != 50 || l.UserBackoff != time.Second || l.UserBackoffMax != 15*time.Minute || l.FamiliarFor != 30*24*time.Hour ||
		cfg.ClientIPHeader != "X-Forwarded-For" || len(cfg.TrustedProxies) != 0 || cfg.Directory != accounts.DirectoryPublic || cfg.RedisKeyPrefix != "shop:" {
		t.Fatalf("rate limit defaults = %+v", cfg)
	}
	if strings.Contains(cfg.String(), testSecret) {
		t.Fatalf("config string leaks the secret: %s", cfg)
	}
	bad := map[string]map[string]string{
		"no secret":             {},
		"bad ttl":               {"API_SECRET": testSecret, "TOKEN_TTL": "-1s"},
		"ttl not duration":      {"API_SECRET": testSecret, "TOKEN_TTL": "soon"},
		"cost too low":          {"API_SECRET": testSecret, "BCRYPT_COST": "3"},
		"cost too high":         {"API_SECRET": testSecret, "BCRYPT_COST": "32"},
		"low cost in prod":      {"API_SECRET": testSecret, "BCRYPT_COST": "4", "SHOP_ENV": "production"},
		"short secret for prod": {"API_SECRET": "short", "SHOP_ENV": "production"},
		"negative pair limit":   {"API_SECRET": testSecret, "LOGIN_MAX_FAILURES_PER_USER_ADDR": "-1"},
		"negative backoff":      {"API_SECRET": testSecret, "LOGIN_USER_BACKOFF_AFTER": "-1"},
		"zero first wait":       {"API_SECRET": testSecret, "LOGIN_USER_BACKOFF": "0s"},
		"max below first wait":  {"API_SECRET": testSecret, "LOGIN_USER_BACKOFF": "1m", "LOGIN_USER_BACKOFF_MAX": "30s"},
		"zero familiar time":    {"API_SECRET": testSecret, "LOGIN_FAMILIAR_FOR": "0s"},
		"old per-user limit":    {"API_SECRET": testSecret, "LOGIN_MAX_FAILURES_PER_USER": "5"},
		"unknown directory":     {"API_SECRET": testSecret, "USERS_DIRECTORY": "everyone"},
		"negative addr limit":   {"API_SECRET": testSecret, "LOGIN_MAX_ATTEMPTS_PER_ADDR": "-1"},
		"zero login window":     {"API_SECRET": testSecret, "LOGIN_WINDOW": "0s"},
		"negative register":     {"API_SECRET": testSecret, "REGISTER_MAX_PER_ADDR": "-5"},
		"zero register window":  {"API_SECRET": testSecret, "REGISTER_WINDOW": "0s"},
		"bad trusted proxy":     {"API_SECRET": testSecret, "TRUSTED_PROXIES": "10.0.0.0/8, 300.1.1.1/8"},
	}
	for name, m := range bad {
		if _, err := LoadConfig(config.FromMap(m)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Every problem is reported at once.
	_, err = LoadConfig(config.FromMap(map[string]string{"TOKEN_TTL": "0s", "BCRYPT_COST": "99"}))
	if err == nil || !strings.Contains(err.Error(), "API_SECRET") || !strings.Contains(err.Error(), "TOKEN_TTL") || !strings.Contains(err.Error(), "BCRYPT_COST") {
		t.Fatalf("err = %v, want all three problems", err)
	}
}

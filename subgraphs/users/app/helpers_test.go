package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/testenv"
)

const testSecret = "users-test-secret-0123456789abcdef"

// instance is one running users service on a free port.
type instance struct {
	URL    string
	Config Config
	app    *App
	// stop shuts the service down as SIGTERM does and waits for Serve to
	// return; the test's cleanup calls it too.
	stop func()
}

type options struct {
	db      string
	prefix  string
	brokers []string
	// redisPrefix isolates the attempt counters; instances sharing one
	// share the counters.
	redisPrefix string
	// infra replaces testenv.Get (testenv.Fresh for fault tests).
	infra *testenv.Env
	// vars override or add configuration variables.
	vars map[string]string
	// spans receives the service's spans.
	spans sdktrace.SpanExporter
}

// start runs the app like cmd/users does (LoadConfig over a variable map,
// New, Serve) against testenv's MongoDB and Kafka, in a database and topic
// prefix of its own unless o says otherwise.
func start(t *testing.T, o options) instance {
	t.Helper()
	env := o.infra
	if env == nil {
		env = testenv.Get(t)
	}
	if o.redisPrefix == "" {
		o.redisPrefix = testenv.Name("r") + ":"
	}
	if o.db == "" {
		o.db = testenv.Name("users")
	}
	if o.prefix == "" {
		o.prefix = testenv.Name("t") + "."
	}
	if o.brokers == nil {
		o.brokers = env.KafkaBrokers
	}
	vars := map[string]string{
		"API_SECRET":         testSecret,
		"MONGO_URI":          env.MongoURI,
		"MONGO_DB":           o.db,
		"KAFKA_BROKERS":      strings.Join(o.brokers, ","),
		"KAFKA_TOPIC_PREFIX": o.prefix,
		"BCRYPT_COST":        "4",
		"LISTEN_ADDR":        "127.0.0.1:0",
		"REDIS_ADDR":         env.RedisAddr,
		"REDIS_KEY_PREFIX":   o.redisPrefix,
		// Tests reach the service from loopback and play the router, the
		// one proxy a deployment trusts to name the client.
		"TRUSTED_PROXIES": "127.0.0.1,::1",
		// Tests register many users from loopback; the registration limit
		// has tests of its own.
		"REGISTER_MAX_PER_ADDR": "0",
	}
	for k, v := range o.vars {
		vars[k] = v
	}
	cfg, err := LoadConfig(config.FromMap(vars))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Telemetry.SpanExporter = o.spans
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		a.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		stop()
		a.Close()
	})
	return instance{URL: "http://" + ln.Addr().String(), Config: cfg, app: a, stop: stop}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// code returns the first error's extensions.code, or "".
func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// gql posts one operation and decodes the answer.
func gql(t *testing.T, url, query string, vars map[string]any, headers map[string]string) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode response (status %d): %v", resp.StatusCode, err)
	}
	return out
}

// decode unmarshals a response's data, failing on GraphQL errors.
func decode[T any](t *testing.T, r gqlResponse) T {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	var v T
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
	return v
}

type userJSON struct {
	ID        string  `json:"_id"`
	Username  string  `json:"username"`
	Email     *string `json:"email"`
	CreatedAt *string `json:"createdAt"`
}

type session struct {
	Token string   `json:"access_token"`
	User  userJSON `json:"user"`
}

const registerMutation = `mutation($input: RegisterUserInput) {
  registerUser(input: $input) { access_token user { _id username email createdAt } }
}`

// register registers a user and returns the session; it fails the test on error.
func register(t *testing.T, url, username, password string, email *string) session {
	t.Helper()
	in := map[string]any{"username": username, "password": password}
	if email != nil {
		in["email"] = *email
	}
	r := gql(t, url, registerMutation, map[string]any{"input": in}, nil)
	return decode[struct {
		S session `json:"registerUser"`
	}](t, r).S
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ok, err := cond()
		if ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s: %v", what, errors.Join(last))
}

func ptr[T any](v T) *T { return &v }

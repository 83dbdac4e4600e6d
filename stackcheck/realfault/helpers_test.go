package realfault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/app"
)

const (
	testSecret   = "fault-test-secret-that-is-long-enough-0123456789"
	testAdminKey = "fault-test-admin-key-0123456789"
	testToken    = "fault-test-service-token-0123456789"
)

// setup returns the real servers and their control, or skips outside
// `make test-real`. It fails when the control is set but the addresses are
// not: that would run the fault tests against nothing.
func setup(t *testing.T) (*testenv.Env, Control) {
	t.Helper()
	ctl, ok := ControlFromEnv()
	if !ok {
		t.Skip("fault tests stop real servers; they run only in `make test-real` (" + ControlEnv + " unset)")
	}
	env := testenv.Get(t)
	if !env.Real {
		t.Fatalf("%s is set but SHOP_TEST_MONGO_URI is not: no real servers to test", ControlEnv)
	}
	return env, ctl
}

// testLog keeps the app's warnings and errors and prints the last of them
// only when the test fails: the faults make the services log every failed
// call, which would bury the results of a passing run.
func testLog(t *testing.T) *slog.Logger {
	w := &tailWriter{}
	t.Cleanup(func() {
		if t.Failed() {
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Logf("last %d service log lines:\n%s", len(w.lines), strings.Join(w.lines, "\n"))
		}
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// tailWriter keeps the last 40 lines written to it.
type tailWriter struct {
	mu    sync.Mutex
	lines []string
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, strings.TrimRight(string(p), "\n"))
	if len(w.lines) > 40 {
		w.lines = w.lines[len(w.lines)-40:]
	}
	return len(p), nil
}

// products is one products service (the real app package) on a loopback port.
type products struct {
	URL string
	// TopicPrefix is the service's KAFKA_TOPIC_PREFIX.
	TopicPrefix string
	client      *http.Client
}

// startProducts runs the products app against env with fresh names.
func startProducts(t *testing.T, env *testenv.Env) *products {
	t.Helper()
	name := testenv.Name("fault_products")
	m := map[string]string{
		"API_SECRET":          testSecret,
		"ADMIN_API_KEY":       testAdminKey,
		"INTERNAL_API_SECRET": testToken,
		"MONGO_URI":           env.MongoURI,
		"MONGO_DB":            name,
		"KAFKA_BROKERS":       strings.Join(env.KafkaBrokers, ","),
		"KAFKA_TOPIC_PREFIX":  name + ".",
		"REDIS_ADDR":          env.RedisAddr,
		"REDIS_KEY_PREFIX":    name + ":",
		"LISTEN_ADDR":         "127.0.0.1:0",
	}
	cfg, err := app.LoadConfig(config.FromMap(m))
	if err != nil {
		t.Fatalf("products config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, testLog(t))
	if err != nil {
		cancel()
		t.Fatalf("new products app: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatalf("listen: %v", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := a.Serve(ctx, ln); err != nil {
			t.Errorf("products serve: %v", err)
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		a.Close()
	})
	return &products{URL: "http://" + ln.Addr().String(), TopicPrefix: cfg.TopicPrefix, client: &http.Client{Timeout: 30 * time.Second}}
}

// gqlResult is a GraphQL response.
type gqlResult struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// gql posts one operation; admin adds the admin key. A transport failure
// or a non-JSON answer is returned as an error, GraphQL errors in the result.
func (p *products) gql(ctx context.Context, query string, vars map[string]any, admin bool) (gqlResult, int, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return gqlResult{}, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return gqlResult{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if admin {
		req.Header.Set("x-api-key", testAdminKey)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return gqlResult{}, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return gqlResult{}, resp.StatusCode, err
	}
	var out gqlResult
	if err := json.Unmarshal(raw, &out); err != nil {
		return gqlResult{}, resp.StatusCode, fmt.Errorf("status %d, body %q: %w", resp.StatusCode, raw, err)
	}
	return out, resp.StatusCode, nil
}

type product struct {
	ID       string `json:"_id"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// mustGQL runs an operation that has to succeed and decodes field into out.
func (p *products) mustGQL(t *testing.T, query string, vars map[string]any, admin bool, field string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, _, err := p.gql(ctx, query, vars, admin)
	if err != nil {
		t.Fatalf("graphql: %v", err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("graphql errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data[field], out); err != nil {
		t.Fatalf("decode %s: %v", field, err)
	}
}

func (p *products) create(t *testing.T, name string, qty int) product {
	t.Helper()
	var out product
	p.mustGQL(t, `mutation($in: CreateProductInput){ createProduct(input: $in){ _id name quantity } }`,
		map[string]any{"in": map[string]any{"name": name, "price": 20, "quantity": qty}}, true, "createProduct", &out)
	return out
}

// internal posts body to an internal API path with the service token and
// returns the status.
func (p *products) internal(ctx context.Context, path string, body any) (int, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+path, bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(inventoryapi.HeaderServiceToken, testToken)
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// ready reports the status of GET /ready.
func (p *products) ready(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/ready", nil)
	if err != nil {
		return 0, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// waitFor polls cond every 200 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mustControl runs a server control step, failing the test if it fails.
func mustControl(t *testing.T, step func(context.Context, string) error, server string) {
	t.Helper()
	start := time.Now()
	if err := step(context.Background(), server); err != nil {
		t.Fatalf("control: %v", err)
	}
	t.Logf("%s: control step done in %s", server, time.Since(start).Round(time.Millisecond))
}

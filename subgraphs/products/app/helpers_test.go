package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
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
	testSecret   = "test-secret-that-is-long-enough-1234567890"
	testAdminKey = "test-admin-key-0123456789"
	testToken    = "test-service-token"
)

// instance is one running products app.
type instance struct {
	*app.App
	URL string
	cfg app.Config
	// stop shuts the instance down (as a crash or a deploy would); the
	// test's cleanup calls it too.
	stop func()
}

// shared names one database, topic prefix and key prefix for instances
// that must see the same data.
type shared struct {
	db, prefix string
}

func newShared() shared { n := testenv.Name("products"); return shared{db: n, prefix: n} }

// start runs an app against env with the names of sh.
func start(t testing.TB, env *testenv.Env, sh shared) *instance {
	t.Helper()
	return startWith(t, env, sh, nil)
}

// startWith is start with extra (or overriding) environment variables.
func startWith(t testing.TB, env *testenv.Env, sh shared, extra map[string]string) *instance {
	t.Helper()
	m := map[string]string{
		"API_SECRET":          testSecret,
		"ADMIN_API_KEY":       testAdminKey,
		"INTERNAL_API_SECRET": testToken,
		"MONGO_URI":           env.MongoURI,
		"MONGO_DB":            sh.db,
		"KAFKA_BROKERS":       strings.Join(env.KafkaBrokers, ","),
		"KAFKA_TOPIC_PREFIX":  sh.prefix + ".",
		"REDIS_ADDR":          env.RedisAddr,
		"REDIS_KEY_PREFIX":    sh.prefix + ":",
		"LISTEN_ADDR":         "127.0.0.1:0",
	}
	for k, v := range extra {
		m[k] = v
	}
	cfg, err := app.LoadConfig(config.FromMap(m))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, nil)
	if err != nil {
		cancel()
		t.Fatalf("new app: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatalf("listen: %v", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := a.Serve(ctx, ln); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			a.Close()
		})
	}
	t.Cleanup(stop)
	return &instance{App: a, URL: "http://" + ln.Addr().String(), cfg: cfg, stop: stop}
}

type gqlResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// gql posts a GraphQL operation with optional headers (name, value, ...).
func (in *instance) gql(t testing.TB, query string, vars map[string]any, headers ...string) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, in.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("graphql request: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("graphql response %d %s: %v", resp.StatusCode, raw, err)
	}
	return out
}

func admin() []string { return []string{"x-api-key", testAdminKey} }

type product struct {
	ID       string `json:"_id"`
	Name     string `json:"name"`
	Price    int    `json:"price"`
	Quantity int    `json:"quantity"`
}

// create creates a product through GraphQL as admin.
func (in *instance) create(t testing.TB, name string, price, qty int) product {
	t.Helper()
	r := in.gql(t, `mutation($in: CreateProductInput){ createProduct(input: $in){ _id name price quantity } }`,
		map[string]any{"in": map[string]any{"name": name, "price": price, "quantity": qty}}, admin()...)
	if len(r.Errors) > 0 {
		t.Fatalf("create product: %+v", r.Errors)
	}
	var p product
	_ = json.Unmarshal(r.Data["createProduct"], &p)
	return p
}

// quantity reads a product's quantity through GraphQL.
func (in *instance) quantity(t testing.TB, id string) int {
	t.Helper()
	r := in.gql(t, `query($id: ID!){ product(id: $id){ quantity } }`, map[string]any{"id": id})
	var p product
	if len(r.Errors) > 0 || json.Unmarshal(r.Data["product"], &p) != nil {
		t.Fatalf("read product %s: %+v", id, r.Errors)
	}
	return p.Quantity
}

// call sends an internal API request with the service token.
func (in *instance) call(t testing.TB, method, path string, body any) (int, inventoryapi.Reservation) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, in.URL+path, rd)
	req.Header.Set(inventoryapi.HeaderServiceToken, testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("internal call: %v", err)
		return 0, inventoryapi.Reservation{}
	}
	defer resp.Body.Close()
	var r inventoryapi.Reservation
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r
}

func (in *instance) reserve(t testing.TB, orderID string, lines ...inventoryapi.Line) (int, inventoryapi.Reservation) {
	t.Helper()
	return in.call(t, http.MethodPost, inventoryapi.PathReservations, inventoryapi.ReserveRequest{OrderID: orderID, Lines: lines})
}

func (in *instance) release(t testing.TB, orderID string) (int, inventoryapi.Reservation) {
	t.Helper()
	return in.call(t, http.MethodPost, inventoryapi.PathReservations+"/"+orderID+"/release", nil)
}

// eventually polls cond until it holds or the generous deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func httpPost(url, token string, body io.Reader) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, url, body)
	if token != "" {
		req.Header.Set(inventoryapi.HeaderServiceToken, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

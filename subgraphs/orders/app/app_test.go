package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/app"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/inventorydouble"
)

const secret = "test-secret-test-secret-test-secret"

type harness struct {
	url    string
	inv    *inventorydouble.Server
	topic  string
	env    *testenv.Env
	tokens *auth.Tokens
	cfg    app.Config
	stop   func()
	// traceparents are the traceparent headers products' double received.
	traceparents *headerLog
}

// headerLog records one header of every request a handler sees.
type headerLog struct {
	mu     sync.Mutex
	values []string
}

func (l *headerLog) wrap(name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.values = append(l.values, r.Header.Get(name))
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (l *headerLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.values...)
}

func start(t *testing.T) *harness {
	t.Helper()
	return startOn(t, testenv.Get(t))
}

// startOn starts the app on the given infrastructure (testenv.Fresh for
// tests that stop it).
func startOn(t *testing.T, env *testenv.Env) *harness {
	t.Helper()
	return startWith(t, env, nil)
}

// startWith is startOn with extra (or overriding) configuration variables.
func startWith(t *testing.T, env *testenv.Env, extra map[string]string) *harness {
	t.Helper()
	prefix := testenv.Name("orders") + "."
	m := map[string]string{
		"API_SECRET":              secret,
		"LISTEN_ADDR":             "127.0.0.1:0",
		"MONGO_URI":               env.MongoURI,
		"MONGO_DB":                testenv.Name("orders_app"),
		"KAFKA_BROKERS":           strings.Join(env.KafkaBrokers, ","),
		"KAFKA_TOPIC_PREFIX":      prefix,
		"ORDER_RECOVERY_INTERVAL": "1h",
	}
	inv := inventorydouble.New(auth.DeriveServiceToken(secret))
	seen := &headerLog{}
	psrv := httptest.NewServer(seen.wrap("Traceparent", inv))
	t.Cleanup(psrv.Close)
	m["PRODUCTS_INTERNAL_URL"] = psrv.URL
	maps.Copy(m, extra)
	cfg, err := app.LoadConfig(config.FromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{inv: inv, topic: cfg.Topic(events.TopicOrders), env: env, tokens: auth.NewTokens(secret, time.Hour), cfg: cfg, traceparents: seen}
	h.serve(t)
	return h
}

// serve starts an app on h's configuration and points h at it.
func (h *harness) serve(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, h.cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := httpx.Listen("127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			if err := a.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	h.url = "http://" + ln.Addr().String()
}

// restart stops the app and starts a new one on the same database and
// products double, as a deploy or a crash and restart would.
func (h *harness) restart(t *testing.T) {
	t.Helper()
	h.stop()
	h.serve(t)
}

type gqlResp struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (h *harness) do(t *testing.T, headers map[string]string, query string, vars map[string]any, out any) gqlResp {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, h.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlResp
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if out != nil && len(r.Data) > 0 {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decode data %s: %v", r.Data, err)
		}
	}
	return r
}

func (h *harness) bearer(t *testing.T, userID string) map[string]string {
	tok, err := h.tokens.Issue(auth.Identity{UserID: userID})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"Authorization": "Bearer " + tok}
}

// staff returns the headers of a staff token of userID granting scopes.
func (h *harness) staff(t *testing.T, userID string, scopes ...string) map[string]string {
	tok, err := h.tokens.Issue(auth.Identity{UserID: userID, Scopes: scopes, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"Authorization": "Bearer " + tok}
}

func code(r gqlResp) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// The seed's placeOrder selection, verbatim.
const seedPlaceOrder = `mutation PlaceOrder($id: String!, $q: Int!) {
placeOrder(products: [{ _id: $id, quantity: $q }]) {
_id
products {
_id
quantity
}
userId
}
}`

func TestSeedFlowAndAPI(t *testing.T) {
	t.Parallel()
	h := start(t)
	const alice, bob = "65a000000000000000000001", "65a000000000000000000002"
	choc := h.inv.AddProduct(20, 10)

	var placed struct {
		PlaceOrder struct {
			ID       string `json:"_id"`
			UserID   string `json:"userId"`
			Products []struct {
				ID       string `json:"_id"`
				Quantity int    `json:"quantity"`
			} `json:"products"`
		} `json:"placeOrder"`
	}
	r := h.do(t, h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": choc, "q": 10}, &placed)
	if len(r.Errors) > 0 || placed.PlaceOrder.UserID != alice || placed.PlaceOrder.Products[0].ID != choc || placed.PlaceOrder.Products[0].Quantity != 10 {
		t.Fatalf("seed placeOrder: %+v %+v", placed, r.Errors)
	}
	orderID := placed.PlaceOrder.ID

	// The router's query for orders with products resolved by the products subgraph.
	var list struct {
		Orders []struct {
			ID      string `json:"_id"`
			Status  string `json:"status"`
			Total   int    `json:"total"`
			Created string `json:"createdAt"`
			User    struct {
				ID string `json:"_id"`
			} `json:"user"`
			Products []struct {
				UnitPrice int `json:"unitPrice"`
				Product   struct {
					ID string `json:"_id"`
				} `json:"product"`
			} `json:"products"`
		} `json:"orders"`
	}
	r = h.do(t, h.bearer(t, alice), `{ orders { _id status total createdAt user { _id } products { unitPrice product { _id } } } }`, nil, &list)
	if len(r.Errors) > 0 || len(list.Orders) != 1 || list.Orders[0].Status != "CONFIRMED" || list.Orders[0].Total != 200 ||
		list.Orders[0].User.ID != alice || list.Orders[0].Products[0].Product.ID != choc || list.Orders[0].Products[0].UnitPrice != 20 {
		t.Fatalf("orders: %+v %+v", list, r.Errors)
	}
	if _, err := time.Parse(time.RFC3339, list.Orders[0].Created); err != nil {
		t.Fatalf("createdAt %q: %v", list.Orders[0].Created, err)
	}

	// User.orders through _entities, batched: alice sees hers, bob's is empty.
	var ents struct {
		Entities []struct {
			ID     string `json:"_id"`
			Orders []struct {
				ID string `json:"_id"`
			} `json:"orders"`
		} `json:"_entities"`
	}
	r = h.do(t, h.bearer(t, alice), `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { _id orders { _id } } } }`,
		map[string]any{"r": []any{map[string]any{"__typename": "User", "_id": alice}, map[string]any{"__typename": "User", "_id": bob}}}, &ents)
	if len(r.Errors) > 0 || len(ents.Entities) != 2 || len(ents.Entities[0].Orders) != 1 || ents.Entities[0].Orders[0].ID != orderID || len(ents.Entities[1].Orders) != 0 {
		t.Fatalf("entities: %+v %+v", ents, r.Errors)
	}

	// Order.user.orders is resolved by this subgraph too: the owner sees
	// their history there, as through _entities (it was always empty).
	var nested struct {
		Orders []struct {
			User struct {
				Orders []struct {
					ID string `json:"_id"`
				} `json:"orders"`
			} `json:"user"`
		} `json:"orders"`
	}
	r = h.do(t, h.bearer(t, alice), `{ orders { user { orders { _id } } } }`, nil, &nested)
	if len(r.Errors) > 0 || len(nested.Orders) != 1 || len(nested.Orders[0].User.Orders) != 1 || nested.Orders[0].User.Orders[0].ID != orderID {
		t.Fatalf("orders { user { orders } }: %+v %+v", nested, r.Errors)
	}

	var sdl struct {
		Service struct {
			SDL string `json:"sdl"`
		} `json:"_service"`
	}
	h.do(t, nil, `{ _service { sdl } }`, nil, &sdl)
	for _, want := range []string{
		`type Order @key(fields: "_id")`, `type Product @key(fields: "_id", resolvable: false)`, `orders: [Order!]!`,
		`import: ["@key", "@authenticated", "@shareable", "@requiresScopes"]`, `orderHealth: OrderHealth! @requiresScopes(scopes: [["MANAGE_ORDERS"]])`, `placeOrder(products: [OrderProductInput], idempotencyKey: String): Order @authenticated`,
		`cart: Cart @authenticated`, `checkout: Order @authenticated`,
	} {
		if !strings.Contains(sdl.Service.SDL, want) {
			t.Fatalf("sdl lacks %q:\n%s", want, sdl.Service.SDL)
		}
	}

	errorCases := []struct {
		name    string
		headers map[string]string
		query   string
		vars    map[string]any
		want    string
	}{
		{"no token", nil, seedPlaceOrder, map[string]any{"id": choc, "q": 1}, "UNAUTHENTICATED"},
		{"bad token", map[string]string{"Authorization": "Bearer nope"}, seedPlaceOrder, map[string]any{"id": choc, "q": 1}, "UNAUTHENTICATED"},
		{"zero quantity", h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": choc, "q": 0}, "BAD_USER_INPUT"},
		{"negative quantity", h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": choc, "q": -1}, "BAD_USER_INPUT"},
		{"huge quantity", h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": choc, "q": 2147483647}, "BAD_USER_INPUT"},
		{"malformed id", h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": "Add a valid id received from createProduct or products query", "q": 1}, "BAD_USER_INPUT"},
		{"unknown product", h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": "65a0000000000000000000ff", "q": 1}, "BAD_USER_INPUT"},
		{"empty order", h.bearer(t, alice), `mutation { placeOrder(products: []) { _id } }`, nil, "BAD_USER_INPUT"},
		{"missing products", h.bearer(t, alice), `mutation { placeOrder { _id } }`, nil, "BAD_USER_INPUT"},
		{"duplicate product", h.bearer(t, alice), `mutation($id: String!) { placeOrder(products: [{_id: $id, quantity: 1}, {_id: $id, quantity: 1}]) { _id } }`, map[string]any{"id": choc}, "BAD_USER_INPUT"},
		{"sold out", h.bearer(t, alice), seedPlaceOrder, map[string]any{"id": choc, "q": 1}, "INSUFFICIENT_STOCK"},
		{"someone else's order", h.bearer(t, bob), `query($id: ID!) { order(id: $id) { _id } }`, map[string]any{"id": orderID}, "NOT_FOUND"},
		{"cancel someone else's order", h.bearer(t, bob), `mutation($id: ID!) { cancelOrder(id: $id) { _id } }`, map[string]any{"id": orderID}, "NOT_FOUND"},
		{"orders anonymously", nil, `{ orders { _id } }`, nil, "UNAUTHENTICATED"},
		{"wrong admin key", map[string]string{"x-api-key": "wrong"}, `{ orders { _id } }`, nil, "UNAUTHENTICATED"},
		{"order health anonymously", nil, `{ orderHealth { unsettledSteps } }`, nil, "UNAUTHENTICATED"},
		{"order health for a user", h.bearer(t, alice), `{ orderHealth { unsettledSteps } }`, nil, "FORBIDDEN"},
		{"order health with a wrong admin key", map[string]string{"x-api-key": "wrong"}, `{ orderHealth { unsettledSteps } }`, nil, "UNAUTHENTICATED"},
		{"order health for staff without MANAGE_ORDERS", h.staff(t, bob, auth.ScopeManageProducts), `{ orderHealth { unsettledSteps } }`, nil, "FORBIDDEN"},
		{"order health for staff with MANAGE_ORDERS", h.staff(t, bob, auth.ScopeManageOrders), `{ orderHealth { unsettledSteps } }`, nil, ""},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, tc.headers, tc.query, tc.vars, nil)
			if code(r) != tc.want {
				t.Fatalf("code %q (%+v), want %s", code(r), r.Errors, tc.want)
			}
		})
	}
	if h.inv.Stock(choc) != 0 || h.inv.Held(choc) != 10 {
		t.Fatalf("stock %d held %d", h.inv.Stock(choc), h.inv.Held(choc))
	}

	// The admin sees every order and may cancel; the stock comes back.
	admin := map[string]string{"x-api-key": secret}
	var cancelled struct {
		CancelOrder struct {
			Status string `json:"status"`
		} `json:"cancelOrder"`
	}
	for range 2 {
		r = h.do(t, admin, `mutation($id: ID!) { cancelOrder(id: $id) { status } }`, map[string]any{"id": orderID}, &cancelled)
		if len(r.Errors) > 0 || cancelled.CancelOrder.Status != "CANCELLED" {
			t.Fatalf("cancel: %+v %+v", cancelled, r.Errors)
		}
	}
	if h.inv.Stock(choc) != 10 || h.inv.ReleaseCalls(orderID) != 1 {
		t.Fatalf("after cancel: stock %d, release calls %d", h.inv.Stock(choc), h.inv.ReleaseCalls(orderID))
	}
	// Every step settled: nothing is left on the work list.
	var health struct {
		OrderHealth map[string]any `json:"orderHealth"`
	}
	r = h.do(t, admin, `{ orderHealth { unsettledSteps owedReleases pendingOrders oldestUnsettledAgeSeconds } }`, nil, &health)
	want := map[string]any{"unsettledSteps": 0.0, "owedReleases": 0.0, "pendingOrders": 0.0, "oldestUnsettledAgeSeconds": nil}
	if len(r.Errors) > 0 || !maps.Equal(health.OrderHealth, want) {
		t.Fatalf("orderHealth: %+v %+v", health, r.Errors)
	}
	checkEvents(t, h, orderID)
}

// TestPlaceOrderIdempotencyKey: a retried placeOrder with the same key
// returns the same order and reserves once; the same key with other
// products is BAD_USER_INPUT.
func TestPlaceOrderIdempotencyKey(t *testing.T) {
	t.Parallel()
	h := start(t)
	const alice = "65a000000000000000000021"
	choc := h.inv.AddProduct(20, 10)
	const keyed = `mutation($id: String!, $q: Int!, $key: String) {
placeOrder(products: [{ _id: $id, quantity: $q }], idempotencyKey: $key) { _id status products { _id quantity } }
}`
	type placed struct {
		PlaceOrder struct {
			ID     string `json:"_id"`
			Status string `json:"status"`
		} `json:"placeOrder"`
	}
	var first, again placed
	if r := h.do(t, h.bearer(t, alice), keyed, map[string]any{"id": choc, "q": 3, "key": "retry-1"}, &first); len(r.Errors) > 0 || first.PlaceOrder.Status != "CONFIRMED" {
		t.Fatalf("first: %+v %+v", first, r.Errors)
	}
	if r := h.do(t, h.bearer(t, alice), keyed, map[string]any{"id": choc, "q": 3, "key": "retry-1"}, &again); len(r.Errors) > 0 || again.PlaceOrder.ID != first.PlaceOrder.ID {
		t.Fatalf("retry: %+v %+v, want order %s", again, r.Errors, first.PlaceOrder.ID)
	}
	if h.inv.Stock(choc) != 7 {
		t.Fatalf("stock %d, want 7 (one reservation)", h.inv.Stock(choc))
	}
	for _, tc := range []struct {
		name string
		vars map[string]any
	}{
		{"other quantity", map[string]any{"id": choc, "q": 4, "key": "retry-1"}},
		{"empty key", map[string]any{"id": choc, "q": 1, "key": ""}},
	} {
		if r := h.do(t, h.bearer(t, alice), keyed, tc.vars, nil); code(r) != "BAD_USER_INPUT" {
			t.Fatalf("%s: %+v, want BAD_USER_INPUT", tc.name, r.Errors)
		}
	}
	// A null key is no key: a new order each time.
	var other placed
	if r := h.do(t, h.bearer(t, alice), keyed, map[string]any{"id": choc, "q": 1, "key": nil}, &other); len(r.Errors) > 0 || other.PlaceOrder.ID == first.PlaceOrder.ID {
		t.Fatalf("without a key: %+v %+v", other, r.Errors)
	}
}

// checkEvents reads the orders topic and expects OrderPlaced and
// OrderCancelled for the order, keyed by its id. The topic is created and
// awaited in the metadata first: a kafka-go group reader that joins before
// its topic exists gets no partitions and never reads.
func checkEvents(t *testing.T, h *harness, orderID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kc, err := kafkax.New(kafkax.Config{Brokers: h.env.KafkaBrokers})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	if err := kc.EnsureTopics(ctx, h.topic); err != nil {
		t.Fatalf("ensure topic %s: %v", h.topic, err)
	}
	if err := kc.AwaitTopics(ctx, h.topic); err != nil {
		t.Fatal(err)
	}
	rd := kc.Reader(kafkax.ReaderConfig{Topic: h.topic, GroupID: testenv.Name("orders-test")})
	defer rd.Close()
	seen := map[string]bool{}
	for !seen[events.OrderPlaced] || !seen[events.OrderCancelled] {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("events seen %v: %v", seen, err)
		}
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		var d events.OrderData
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if string(m.Key) == orderID && d.OrderID == orderID {
			seen[e.Type] = true
		}
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
	}{
		{"defaults", map[string]string{"API_SECRET": "s"}, nil},
		{"everything wrong", map[string]string{"PRODUCTS_INTERNAL_URL": "localhost:4002", "PRODUCTS_TIMEOUT": "0s", "PRODUCTS_ATTEMPTS": "0", "ORDER_RECOVERY_INTERVAL": "x"},
			[]string{"API_SECRET", "PRODUCTS_INTERNAL_URL", "PRODUCTS_TIMEOUT", "PRODUCTS_ATTEMPTS", "ORDER_RECOVERY_INTERVAL"}},
		// Recovery must not settle orders whose request still waits for products.
		{"grace within the reserve budget", map[string]string{"API_SECRET": "s", "ORDER_RECOVERY_GRACE": "12s"}, []string{"ORDER_RECOVERY_GRACE (12s) must exceed", "12s"}},
		{"grace within the attempts", map[string]string{"API_SECRET": "s", "ORDER_RECOVERY_GRACE": "2s", "PRODUCTS_TIMEOUT": "1s", "PRODUCTS_ATTEMPTS": "2"}, []string{"2.1s"}},
		{"reserve timeout", map[string]string{"API_SECRET": "s", "ORDER_RESERVE_TIMEOUT": "0s"}, []string{"ORDER_RESERVE_TIMEOUT"}},
		{"currency", map[string]string{"API_SECRET": "s", "SHOP_CURRENCY": "usd"}, []string{"SHOP_CURRENCY", `"usd"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := app.LoadConfig(config.FromMap(tc.env))
			if len(tc.wantErr) == 0 {
				if err != nil || cfg.ListenAddr != ":4003" || cfg.ProductsURL != "http://localhost:4002" || cfg.MongoDB != "shop_orders" ||
					cfg.ReserveBudget() != 12*time.Second || cfg.RecoveryGrace <= cfg.ReserveBudget() || cfg.Currency != "USD" {
					t.Fatalf("%+v %v", cfg, err)
				}
				return
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("err %v lacks %s", err, w)
				}
			}
		})
	}
}

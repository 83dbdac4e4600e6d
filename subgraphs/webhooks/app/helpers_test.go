package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/app"
)

const (
	secret   = "webhooks-app-test-secret-0123456789abcdef"
	adminKey = "webhooks-app-test-admin-key-0123456789"
)

// shared names one test's database and topic prefix, kept across restarts.
type shared struct{ db, prefix string }

func newShared() shared { n := testenv.Name("webhooks"); return shared{db: n, prefix: n + "."} }

type instance struct {
	URL  string
	stop func()
}

// start runs the service on a free port against the test infrastructure
// with short retry settings; extra overrides variables.
func start(t *testing.T, sh shared, extra map[string]string) *instance {
	t.Helper()
	env := testenv.Get(t)
	m := map[string]string{
		"API_SECRET": secret, "ADMIN_API_KEY": adminKey, "MONGO_URI": env.MongoURI, "MONGO_DB": sh.db,
		"KAFKA_BROKERS": strings.Join(env.KafkaBrokers, ","), "KAFKA_TOPIC_PREFIX": sh.prefix,
		"WEBHOOKS_BACKOFF_BASE": "50ms", "WEBHOOKS_BACKOFF_MAX": "200ms", "WEBHOOKS_POLL_INTERVAL": "50ms",
		"WEBHOOKS_LEASE_SLOT": "1s", "WEBHOOKS_ATTEMPT_TIMEOUT": "5s",
	}
	for k, v := range extra {
		m[k] = v
	}
	cfg, err := app.LoadConfig(config.FromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
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
			if err := a.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &instance{URL: "http://" + ln.Addr().String() + "/graphql", stop: stop}
}

// receiver is a local TLS endpoint that answers with the statuses of
// script in turn (then 200) and records what it got.
type receiver struct {
	srv    *httptest.Server
	CAFile string
	mu     sync.Mutex
	script []int
	got    []received
}

type received struct {
	Header http.Header
	Body   []byte
	Status int
}

func newReceiver(t *testing.T, script ...int) *receiver {
	t.Helper()
	r := &receiver{script: script}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body, Status: status})
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	r.CAFile = filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
	if err := os.WriteFile(r.CAFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// waitFor polls cond until it holds; the deadline only bounds a broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// publish writes envelopes to the prefixed topic, creating it first.
func publish(t *testing.T, sh shared, topic string, envs ...events.Envelope) {
	t.Helper()
	env := testenv.Get(t)
	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	full := sh.prefix + topic
	if err := kc.EnsureTopics(ctx, full); err != nil {
		t.Fatal(err)
	}
	if err := kc.AwaitTopics(ctx, full); err != nil {
		t.Fatal(err)
	}
	var msgs []kafka.Message
	for _, e := range envs {
		m, err := kafkax.Message(full, e.ID, e)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	w := kc.Writer()
	defer w.Close()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

func orderPlaced(t *testing.T, orderID string) events.Envelope {
	t.Helper()
	e, err := events.New(events.OrderPlaced, time.Now(), events.OrderData{
		OrderID: orderID, UserID: "u1", Status: "CONFIRMED", Total: 40,
		Lines: []events.OrderLine{{ProductID: "p1", Quantity: 2, UnitPrice: 20}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// headers for post: the admin key, a bearer token, or nothing.
type creds struct{ admin, token string }

func post(t *testing.T, url string, c creds, query string, vars map[string]any, out any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.admin != "" {
		req.Header.Set("X-Api-Key", c.admin)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode (HTTP %d): %v", resp.StatusCode, err)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decode data %s: %v", r.Data, err)
		}
	}
	return r
}

func code(r response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

var admin = creds{admin: adminKey}

const createMutation = `mutation($in: WebhookCreateInput!) { webhookCreate(input: $in) { webhook { id url events } secret errors { field code message } } }`

type createResult struct {
	Create struct {
		Webhook *struct {
			ID string `json:"id"`
		} `json:"webhook"`
		Secret *string `json:"secret"`
		Errors []struct {
			Field   *string `json:"field"`
			Code    string  `json:"code"`
			Message string  `json:"message"`
		} `json:"errors"`
	} `json:"webhookCreate"`
}

// register creates an endpoint for url and returns its id and secret.
func register(t *testing.T, url, endpoint string, types ...string) (string, string) {
	t.Helper()
	var out createResult
	r := post(t, url, admin, createMutation, map[string]any{"in": map[string]any{"url": endpoint, "events": types, "description": "test"}}, &out)
	if len(r.Errors) > 0 || out.Create.Webhook == nil || out.Create.Secret == nil {
		t.Fatalf("webhookCreate: %s %+v", r.Data, r.Errors)
	}
	return out.Create.Webhook.ID, *out.Create.Secret
}

type deliveryNode struct {
	ID            string  `json:"id"`
	MessageID     string  `json:"messageId"`
	EventType     string  `json:"eventType"`
	Status        string  `json:"status"`
	NextAttemptAt *string `json:"nextAttemptAt"`
	Attempts      []struct {
		HTTPStatus *int    `json:"httpStatus"`
		Error      *string `json:"error"`
	} `json:"attempts"`
}

type deliveriesResult struct {
	Webhook *struct {
		Deliveries struct {
			Nodes    []deliveryNode `json:"nodes"`
			Total    int            `json:"totalCount"`
			PageInfo struct {
				HasNextPage bool    `json:"hasNextPage"`
				EndCursor   *string `json:"endCursor"`
			} `json:"pageInfo"`
		} `json:"deliveries"`
	} `json:"webhook"`
}

const deliveriesQuery = `query($id: ID!, $first: Int, $after: String) { webhook(id: $id) { deliveries(first: $first, after: $after) {
  nodes { id messageId eventType status nextAttemptAt attempts { httpStatus error } } totalCount pageInfo { hasNextPage endCursor } } } }`

func deliveries(t *testing.T, url, id string) deliveriesResult {
	t.Helper()
	var out deliveriesResult
	r := post(t, url, admin, deliveriesQuery, map[string]any{"id": id, "first": 100}, &out)
	if len(r.Errors) > 0 || out.Webhook == nil {
		t.Fatalf("deliveries: %s %+v", r.Data, r.Errors)
	}
	return out
}

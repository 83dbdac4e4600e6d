package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
	"github.com/shopsupergraph/shop/router/internal/metrics"
	"github.com/shopsupergraph/shop/router/internal/subscriptions"
)

// stockFeed fans stock changes out to the inventory subgraph's open
// subscriptions, like the products service's Kafka-fed live feed.
type stockFeed struct {
	mu      sync.Mutex
	subs    map[chan fedtest.Obj]bool
	headers []http.Header
}

func (f *stockFeed) subscribe(h http.Header) chan fedtest.Obj {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan fedtest.Obj, 16)
	f.subs[ch] = true
	f.headers = append(f.headers, h.Clone())
	return ch
}

func (f *stockFeed) unsubscribe(ch chan fedtest.Obj) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, ch)
}

func (f *stockFeed) active() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *stockFeed) publish(ev fedtest.Obj) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		ch <- ev
	}
}

// startStreamingShop serves products (queries, entities) and inventory
// (entities over HTTP, inventoryUpdated over graphql-transport-ws) and a
// router in front of them.
func startStreamingShop(t *testing.T) (*httptest.Server, *stockFeed) {
	return startStreamingShopWith(t, nil)
}

// startStreamingShopWith is startStreamingShop with the router's
// configuration adjusted by set.
func startStreamingShopWith(t *testing.T, set func(*app.Config), opts ...app.Option) (*httptest.Server, *stockFeed) {
	t.Helper()
	return startStreamingShopEdited(t, set, nil, opts...)
}

// startStreamingShopEdited is startStreamingShopWith serving the
// supergraph as edit rewrites it (nil: unchanged).
func startStreamingShopEdited(t *testing.T, set func(*app.Config), edit func(string) string, opts ...app.Option) (*httptest.Server, *stockFeed) {
	t.Helper()
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", "subscriptions", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	products := fedtest.Table{{"_id": "p1", "name": "chocolate", "price": 20}, {"_id": "p2", "name": "coffee", "price": 450}}
	psg, err := fedtest.NewSubgraph("products", read("products.graphql"), fedtest.Resolvers{
		Root:     map[string]map[string]any{"Query": {"products": products.All()}},
		Entities: map[string]fedtest.EntityFunc{"Product": products.Lookup("_id")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each event is executed against the subscription's selection set: the
	// resolver returns the event being delivered (execution is serialized).
	var execMu sync.Mutex
	var current fedtest.Obj
	stock := fedtest.Table{{"_id": "p1", "quantity": 10}, {"_id": "p2", "quantity": 3}}
	isg, err := fedtest.NewSubgraph("inventory", read("inventory.graphql"), fedtest.Resolvers{
		Root: map[string]map[string]any{"Subscription": {
			"inventoryUpdated": fedtest.FieldFunc(func(map[string]any) (any, error) { return current, nil }),
		}},
		Entities: map[string]fedtest.EntityFunc{"Product": stock.Lookup("_id")},
	})
	if err != nil {
		t.Fatal(err)
	}
	feed := &stockFeed{subs: map[chan fedtest.Obj]bool{}}
	run := func(ctx context.Context, req *engine.Request, header http.Header, w engine.SubscriptionWriter) error {
		var vars map[string]any
		if len(req.Variables) > 0 {
			if err := json.Unmarshal(req.Variables, &vars); err != nil {
				return err
			}
		}
		ch := feed.subscribe(header)
		defer feed.unsubscribe(ch)
		for {
			select {
			case <-ctx.Done():
				return nil
			case ev := <-ch:
				execMu.Lock()
				current = ev
				resp, _ := isg.Execute(req.Query, req.OperationName, vars)
				execMu.Unlock()
				data, err := json.Marshal(resp)
				if err != nil {
					return err
				}
				if _, err := w.Write(data); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
		}
	}
	streams := subscriptions.New(run, subscriptions.Options{})
	inventory := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subscriptions.Accepts(r) {
			streams.ServeHTTP(w, r)
			return
		}
		isg.ServeHTTP(w, r)
	})
	sdl := read("supergraph.graphql")
	if edit != nil {
		sdl = edit(sdl)
	}
	for name, h := range map[string]http.Handler{"products": psg, "inventory": inventory} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		sdl = strings.ReplaceAll(sdl, "http://"+name+".invalid/graphql", srv.URL+"/graphql")
	}
	return startRouter(t, sdl, set, opts...), feed
}

const stockSubscription = `subscription Stock { inventoryUpdated { _id quantity name price } }`

func waitActive(t *testing.T, feed *stockFeed, n int) {
	t.Helper()
	waitFor(t, "the subgraph subscription", func() bool { return feed.active() == n })
}

func TestSubscriptionOverWebSocket(t *testing.T) {
	t.Parallel()
	srv, feed := startStreamingShop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, srv.URL+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscriptions.Protocol}})
	closeBody(resp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	send := func(v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Write(ctx, websocket.MessageText, data); err != nil {
			t.Fatal(err)
		}
	}
	type msg struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	recv := func() msg {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m msg
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer ws-token"}})
	if m := recv(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": stockSubscription}})
	waitActive(t, feed, 1)
	feed.publish(fedtest.Obj{"_id": "p1", "quantity": 9})
	feed.publish(fedtest.Obj{"_id": "p2", "quantity": 2})
	want := []string{
		`{"data":{"inventoryUpdated":{"_id":"p1","quantity":9,"name":"chocolate","price":20}}}`,
		`{"data":{"inventoryUpdated":{"_id":"p2","quantity":2,"name":"coffee","price":450}}}`,
	}
	for _, w := range want {
		m := recv()
		if m.Type != "next" || m.ID != "1" || string(m.Payload) != w {
			t.Fatalf("got %s %s %s, want next 1 %s", m.Type, m.ID, m.Payload, w)
		}
	}
	// The client's credentials from connection_init reached the subgraph.
	feed.mu.Lock()
	auth := feed.headers[0].Get("Authorization")
	feed.mu.Unlock()
	if auth != "Bearer ws-token" {
		t.Fatalf("subgraph subscription got Authorization %q", auth)
	}
	// Completing from the client ends the subgraph subscription.
	send(map[string]any{"id": "1", "type": "complete"})
	waitActive(t, feed, 0)

	// A refused operation answers an error message for its id.
	send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": `subscription { nope }`}})
	if m := recv(); m.Type != "error" || m.ID != "2" || !strings.Contains(string(m.Payload), "GRAPHQL_VALIDATION_FAILED") {
		t.Fatalf("want error for 2, got %s %s %s", m.Type, m.ID, m.Payload)
	}
	send(map[string]any{"type": "ping"})
	if m := recv(); m.Type != "pong" {
		t.Fatalf("want pong, got %+v", m)
	}
}

func TestSubscriptionOverSSE(t *testing.T) {
	t.Parallel()
	srv, feed := startStreamingShop(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, err := json.Marshal(map[string]any{"query": stockSubscription})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-Api-Key", "sse-key")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != 0 {
		t.Fatalf("HTTP %d", res.StatusCode)
	}
	waitActive(t, feed, 1)
	feed.publish(fedtest.Obj{"_id": "p1", "quantity": 8})
	sc := bufio.NewScanner(res.Body)
	var event, data string
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			data = v
		}
		if line == "" && event != "" {
			break
		}
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	want := `{"data":{"inventoryUpdated":{"_id":"p1","quantity":8,"name":"chocolate","price":20}}}`
	if event != "next" || data != want {
		t.Fatalf("got event %q data %s, want next %s", event, data, want)
	}
	feed.mu.Lock()
	key := feed.headers[0].Get("X-Api-Key")
	feed.mu.Unlock()
	if key != "sse-key" {
		t.Fatalf("subgraph subscription got x-api-key %q", key)
	}
	cancel() // the client goes away: the subgraph subscription ends
	waitActive(t, feed, 0)
}

func TestSubscriptionRefusedOnQueryEndpointAndOverSSEForQueries(t *testing.T) {
	t.Parallel()
	srv, _ := startStreamingShop(t)
	status, res, _ := post(t, srv.URL, map[string]any{"query": stockSubscription}, nil)
	if status == http.StatusOK && len(res.Errors) == 0 {
		t.Fatalf("subscription over plain POST must be refused: %+v", res)
	}
	// A query sent for a stream is refused inside the stream.
	data, err := json.Marshal(map[string]any{"query": `{ products { _id } }`})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	r, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	stream, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(stream), "event: next\ndata: {\"errors\":[{\"message\":\"only subscriptions") ||
		!strings.HasSuffix(string(stream), "event: complete\ndata:\n\n") {
		t.Fatalf("query over SSE: %q", stream)
	}
}

func TestSubscriptionsDisabled(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) {
		off := false
		c.Subscriptions.Enabled = &off
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, srv.URL+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscriptions.Protocol}})
	closeBody(resp)
	if err == nil {
		c.CloseNow()
		t.Fatal("websocket accepted with subscriptions disabled")
	}
}

// closeBody closes the handshake response body websocket.Dial may return.
func closeBody(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
}

// TestRequestTimeoutSparesSubscriptions checks that timeouts.request, which
// bounds queries and mutations, never cuts a subscription: streams outlive
// it several times over and still deliver events.
func TestRequestTimeoutSparesSubscriptions(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	srv, feed := startStreamingShopWith(t, func(c *app.Config) { c.Timeouts.Request = timeout })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	body, err := json.Marshal(map[string]any{"query": stockSubscription})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	// Different credentials keep the two subgraph subscriptions apart
	// (identical ones would share one).
	req.Header.Set("Authorization", "Bearer sse")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()

	ws, resp, err := websocket.Dial(ctx, srv.URL+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscriptions.Protocol}})
	closeBody(resp)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for _, m := range []string{`{"type":"connection_init","payload":{"Authorization":"Bearer ws"}}`, `{"id":"1","type":"subscribe","payload":{"query":"` + stockSubscription + `"}}`} {
		if err := ws.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	waitActive(t, feed, 2)
	time.Sleep(5 * timeout) // well past the request timeout
	feed.publish(fedtest.Obj{"_id": "p2", "quantity": 1})
	want := `{"data":{"inventoryUpdated":{"_id":"p2","quantity":1,"name":"coffee","price":450}}}`

	sc := bufio.NewScanner(res.Body)
	var data string
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			data = v
			break
		}
	}
	if data != want {
		t.Fatalf("SSE after the request timeout: got %q (%v), want %s", data, sc.Err(), want)
	}
	for {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("WebSocket after the request timeout: %v", err)
		}
		if strings.Contains(string(msg), `"type":"next"`) {
			if !strings.Contains(string(msg), want) {
				t.Fatalf("WebSocket after the request timeout: %s", msg)
			}
			break
		}
	}
}

// TestSubscriptionCapsThroughRouter checks that the router, not only its
// subscriptions package, bounds the streams one client address holds.
func TestSubscriptionCapsThroughRouter(t *testing.T) {
	t.Parallel()
	srv, feed := startStreamingShopWith(t, func(c *app.Config) { c.Subscriptions.MaxConnectionsPerClient = 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// open starts a stream and returns its status; an accepted stream
	// stays open until the test ends, a refused one yields its body.
	open := func(auth string) (int, response) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"`+stockSubscription+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", auth) // distinct subgraph subscriptions
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode == http.StatusOK {
			t.Cleanup(func() { _ = res.Body.Close() })
			return res.StatusCode, response{}
		}
		defer res.Body.Close()
		var body response
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, body
	}
	for _, auth := range []string{"Bearer 1", "Bearer 2"} {
		if status, _ := open(auth); status != http.StatusOK {
			t.Fatalf("HTTP %d", status)
		}
	}
	waitActive(t, feed, 2)
	if status, body := open("Bearer 3"); status != http.StatusTooManyRequests || body.code() != "MAX_CONNECTIONS_LIMIT" {
		t.Fatalf("third stream: HTTP %d %+v, want 429 MAX_CONNECTIONS_LIMIT", status, body)
	}
	c, resp, err := websocket.Dial(ctx, srv.URL+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscriptions.Protocol}})
	closeBody(resp)
	if err == nil {
		c.CloseNow()
		t.Fatal("WebSocket accepted over the client's cap")
	}
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("WebSocket handshake: %v, want 429", err)
	}
	if feed.active() != 2 {
		t.Fatalf("%d subgraph subscriptions, want 2", feed.active())
	}
}

// TestSubscriptionsMeasuredAndTraced checks that subscriptions, which
// bypass the request middlewares, are counted on the request metric and
// traced with operation type subscription, over SSE and WebSocket.
func TestSubscriptionsMeasuredAndTraced(t *testing.T) {
	t.Parallel()
	m, err := metrics.New("router")
	if err != nil {
		t.Fatal(err)
	}
	exp := keepSpans{tracetest.NewInMemoryExporter()}
	srv, feed := startStreamingShopWith(t, func(c *app.Config) { c.Tracing.Enabled = true; c.Metrics.Enabled = true },
		app.WithMetrics(m), app.WithTraceExporter(exp))
	ctx, cancel := context.WithCancel(context.Background())
	body, err := json.Marshal(map[string]any{"query": stockSubscription})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	waitActive(t, feed, 1)
	cancel()
	waitActive(t, feed, 0)
	const server = "http_server_request_duration_seconds_count"
	want := map[string]string{"graphql_operation_name": "Stock", "graphql_operation_type": "subscription", "http_request_method": "POST"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, n := series(scrape(t, m.Handler()), server, want)
		if n == 1 && got == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %q (%d series), want 1", server, want, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var found bool
	for time.Now().Before(deadline) && !found {
		for _, s := range exp.GetSpans() {
			for _, a := range s.Attributes {
				if s.Name == "graphql.request Stock" && a.Key == "graphql.operation.type" && a.Value.AsString() == "subscription" {
					found = true
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !found {
		t.Fatalf("no span for the subscription among %d", len(exp.GetSpans()))
	}
}

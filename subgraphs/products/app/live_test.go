package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
)

const subscription = `subscription($id: ID){ inventoryUpdated(productId: $id){ _id quantity } }`

// A subscriber on one replica sees a stock change made on another, over
// graphql-transport-ws. The timeout is generous: this asserts delivery,
// not latency.
func TestSubscriptionOverWebsocketSeesStockChange(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	a, b := start(t, env, sh), start(t, env, sh)
	p := a.create(t, "live", 100, 5)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()
	send := func(v any) {
		raw, _ := json.Marshal(v)
		if err := ws.Write(ctx, websocket.MessageText, raw); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	type msg struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	read := func() msg {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m msg
		_ = json.Unmarshal(raw, &m)
		return m
	}
	send(map[string]any{"type": "connection_init"})
	if m := read(); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subscription, "variables": map[string]any{"id": p.ID}}})
	waitSubscribed(t, b)

	if code, _ := a.reserve(t, "order-live", inventoryapi.Line{ProductID: p.ID, Quantity: 2}); code != 200 {
		t.Fatalf("reserve: %d", code)
	}
	for {
		m := read()
		if m.Type == "ka" || m.Type == "ping" || m.Type == "pong" {
			continue
		}
		if m.Type != "next" {
			t.Fatalf("got %s %s", m.Type, m.Payload)
		}
		if strings.Contains(string(m.Payload), `"quantity":3`) {
			return
		}
	}
}

// The same over SSE.
func TestSubscriptionOverSSESeesStockChange(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	in := start(t, env, newShared())
	p := in.create(t, "sse", 100, 5)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": subscription, "variables": map[string]any{"id": p.ID}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, in.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sse: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("sse status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	waitSubscribed(t, in)
	r := in.gql(t, `mutation($id: ID!){ restockProduct(id: $id, quantity: 7){ quantity } }`, map[string]any{"id": p.ID}, admin()...)
	if len(r.Errors) > 0 {
		t.Fatalf("restock: %+v", r.Errors)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data:") && strings.Contains(line, `"quantity":12`) {
			return
		}
	}
	t.Fatalf("stream ended without the update: %v", sc.Err())
}

// waitSubscribed waits until the instance has a subscriber, so the change
// made next is not raced by the subscription's own setup.
func waitSubscribed(t *testing.T, in *instance) {
	t.Helper()
	eventually(t, "subscriber registered", func() bool { return in.Subscribers() > 0 })
}

// An OrderCancelled event gives the order's stock back even when nobody
// called the release endpoint.
func TestOrderCancelledEventReleasesStock(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := start(t, env, sh)
	p := in.create(t, "cancel me", 100, 5)
	if code, _ := in.reserve(t, "order-cancel", inventoryapi.Line{ProductID: p.ID, Quantity: 5}); code != 200 {
		t.Fatalf("reserve: %d", code)
	}
	if q := in.quantity(t, p.ID); q != 0 {
		t.Fatalf("quantity = %d, want 0", q)
	}
	env2, err := events.New(events.OrderCancelled, time.Now(), events.OrderData{OrderID: "order-cancel", Status: "CANCELLED"})
	if err != nil {
		t.Fatal(err)
	}
	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	w := kc.Writer()
	defer w.Close()
	m, _ := kafkax.Message(sh.prefix+"."+events.TopicOrders, "order-cancel", env2)
	// Delivered twice: the release is idempotent.
	if err := w.WriteMessages(context.Background(), m, kafka.Message{Topic: m.Topic, Key: m.Key, Value: m.Value}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	eventually(t, "stock released by the OrderCancelled consumer", func() bool { return in.quantity(t, p.ID) == 5 })
	checkInvariant(t, env, sh)
}

// A variant's stock change reaches the subscribers of its product (the
// ledger names the variant's stock; the feed tells its product) with the
// product's new total. The subscriber first sees the variant's creation
// (7 units), so the later 11 can only come from the stock event.
func TestSubscriptionSeesAVariantsStockChange(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	in := start(t, env, newShared())
	p := in.create(t, "sse variant", 100, 5)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": subscription, "variables": map[string]any{"id": p.ID}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, in.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sse: %v", err)
	}
	defer resp.Body.Close()
	waitSubscribed(t, in)
	v := in.createVariant(t, p.ID, "SSE-VARIANT", 150, 2)
	sc := bufio.NewScanner(resp.Body)
	next := func(quantity int) {
		t.Helper()
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data:") && strings.Contains(line, fmt.Sprintf(`"quantity":%d`, quantity)) {
				return
			}
		}
		t.Fatalf("stream ended without quantity %d: %v", quantity, sc.Err())
	}
	next(7)
	r := in.gql(t, `mutation($id: ID!){ productVariantStockUpdate(id: $id, quantity: 4){ errors { code } } }`, map[string]any{"id": v.ID}, admin()...)
	if len(r.Errors) > 0 {
		t.Fatalf("variant restock: %+v", r.Errors)
	}
	next(11)
}

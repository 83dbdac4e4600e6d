package gqlguard

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/shopsupergraph/shop/platform/httpguard"
)

// openSSE starts an SSE subscription from the local address localIP and
// returns the status and, for a refusal, the error code. An accepted
// stream stays open until ctx ends or the test does.
func (f *fixture) openSSE(t *testing.T, ctx context.Context, localIP string) (int, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)},
	}).DialContext}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL, strings.NewReader(`{"query":"subscription { ticks }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var body response
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body.code()
	}
	t.Cleanup(func() { resp.Body.Close() })
	// The transport writes a comment line once the stream is open.
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, ""
}

// TestSSESubscriptionCaps: an address past its cap gets 429, the process
// past its cap 503, both with a JSON error and before any event; a slot
// comes back when its stream ends.
func TestSSESubscriptionCaps(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.MaxSubscriptions, l.MaxSubscriptionsPerAddr = 3, 2
	f := newFixture(t, l)
	ctx := context.Background()
	first, cancelFirst := context.WithCancel(ctx)
	defer cancelFirst()
	for _, c := range []context.Context{first, ctx} {
		if s, _ := f.openSSE(t, c, "127.0.0.1"); s != http.StatusOK {
			t.Fatalf("stream refused: %d", s)
		}
	}
	if s, code := f.openSSE(t, ctx, "127.0.0.1"); s != http.StatusTooManyRequests || code != CodeTooManySubs {
		t.Fatalf("third stream from one address: %d %s", s, code)
	}
	if s, _ := f.openSSE(t, ctx, "127.0.0.2"); s != http.StatusOK {
		t.Fatalf("another address: %d", s)
	}
	if s, code := f.openSSE(t, ctx, "127.0.0.3"); s != http.StatusServiceUnavailable || code != CodeTooManySubs {
		t.Fatalf("fourth stream in the process: %d %s", s, code)
	}
	cancelFirst()
	waitFor(t, func() bool { n, _ := f.guard.Subscriptions().InUse("127.0.0.1"); return n == 2 })
	if s, _ := f.openSSE(t, ctx, "127.0.0.3"); s != http.StatusOK {
		t.Fatalf("after a stream ended: %d", s)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wsClient speaks graphql-transport-ws.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func (f *fixture) dialWS(t *testing.T, ctx context.Context) *wsClient {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	t.Cleanup(func() { c.CloseNow() })
	return &wsClient{t: t, conn: c}
}

func (w *wsClient) send(ctx context.Context, msg map[string]any) {
	w.t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.conn.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (w *wsClient) read(ctx context.Context) wsMessage {
	w.t.Helper()
	for {
		_, b, err := w.conn.Read(ctx)
		if err != nil {
			w.t.Fatal(err)
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			w.t.Fatal(err)
		}
		if m.Type != "ping" && m.Type != "ka" {
			return m
		}
	}
}

// TestWebSocketSubscriptionCaps: subscriptions multiplexed on WebSockets
// count against the same caps; the one over the cap is refused with the
// code and the others keep running.
func TestWebSocketSubscriptionCaps(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.MaxSubscriptionsPerAddr = 2
	f := newFixture(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws := f.dialWS(t, ctx)
	ws.send(ctx, map[string]any{"type": "connection_init"})
	if m := ws.read(ctx); m.Type != "connection_ack" {
		t.Fatalf("init: %+v", m)
	}
	subscribe := func(id string) {
		ws.send(ctx, map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": "subscription { ticks }"}})
	}
	subscribe("1")
	subscribe("2")
	waitFor(t, func() bool { n, _ := f.guard.Subscriptions().InUse(""); return n == 2 })
	subscribe("3")
	m := ws.read(ctx)
	if m.ID != "3" || m.Type != "next" || !strings.Contains(string(m.Payload), CodeTooManySubs) {
		t.Fatalf("third subscription: %+v %s", m, m.Payload)
	}
	if m := ws.read(ctx); m.ID != "3" || m.Type != "complete" {
		t.Fatalf("after the refusal: %+v", m)
	}
	if n, _ := f.guard.Subscriptions().InUse(httpguard.PeerKey("127.0.0.1:1")); n != 2 {
		t.Fatalf("%d subscriptions held, want 2", n)
	}
	// Completing one frees its slot; closing the socket frees the rest.
	ws.send(ctx, map[string]any{"id": "1", "type": "complete"})
	waitFor(t, func() bool { n, _ := f.guard.Subscriptions().InUse(""); return n == 1 })
	ws.conn.CloseNow()
	waitFor(t, func() bool { n, _ := f.guard.Subscriptions().InUse(""); return n == 0 })
}

// TestWebSocketInitTimeout: a socket that never sends connection_init is
// closed after the timeout, with the reason.
func TestWebSocketInitTimeout(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.WSInitTimeout = 300 * time.Millisecond
	f := newFixture(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws := f.dialWS(t, ctx)
	_, _, err := ws.conn.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "initialisation timeout") {
		t.Fatalf("read: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("closed only by the test's own deadline")
	}
}

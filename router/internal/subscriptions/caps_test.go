package subscriptions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// byHeader keys clients by a test header, so one test server can stand for
// many client addresses.
func byHeader(r *http.Request) string { return r.Header.Get("X-Test-Client") }

// startSSE starts an SSE subscription as client and returns the response
// (status 200 and an open stream when accepted); ending ctx ends it.
func startSSE(ctx context.Context, url, client string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"query":"subscription { n }"}`))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-Test-Client", client)
	return http.DefaultClient.Do(req)
}

// openSSE opens a stream as client and returns its status; an accepted
// stream stays open until ctx ends, a refused one is checked with
// refusedWith.
func openSSE(t *testing.T, ctx context.Context, url, client string) (int, []byte) {
	t.Helper()
	res, err := startSSE(ctx, url, client)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode == http.StatusOK {
		t.Cleanup(func() { _ = res.Body.Close() })
		return res.StatusCode, nil
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body
}

// refusedWith checks a refused stream: its status and the code of its
// GraphQL error.
func refusedWith(t *testing.T, gotStatus int, body []byte, status int, code string) {
	t.Helper()
	var out struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("HTTP %d, body %q: %v", gotStatus, body, err)
	}
	if gotStatus != status || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != code {
		t.Fatalf("got HTTP %d %+v, want %d %s", gotStatus, out.Errors, status, code)
	}
}

func waitOpen(t *testing.T, g *gauge, client string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, n := g.open(client); n == want {
			return
		}
		if time.Now().After(deadline) {
			_, n := g.open(client)
			t.Fatalf("client %q holds %d, want %d", client, n, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSSEFloodFromOneAddress opens many SSE subscriptions from one client
// address at once: only its share is accepted, the rest are refused with
// 429, other clients are unaffected, and closed streams free their slots.
func TestSSEFloodFromOneAddress(t *testing.T) {
	t.Parallel()
	h := New(countdown(-1), Options{ClientKey: byHeader, Caps: Caps{MaxConnectionsPerClient: 20, MaxSubscriptionsPerClient: 50}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	const attempts = 200
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
	)
	for range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := 0
			if res, err := startSSE(ctx, srv.URL, "flood"); err == nil {
				status = res.StatusCode
				if status == http.StatusOK {
					// Accepted streams stay open until the flood ends.
					t.Cleanup(func() { _ = res.Body.Close() })
				} else {
					_ = res.Body.Close()
				}
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[http.StatusOK] != 20 || counts[http.StatusTooManyRequests] != attempts-20 {
		t.Fatalf("statuses %v, want 20 accepted and %d refused with 429", counts, attempts-20)
	}
	if total, n := h.subs.open("flood"); total != 20 || n != 20 {
		t.Fatalf("%d subscriptions open (%d for the client), want 20", total, n)
	}
	status, body := openSSE(t, ctx, srv.URL, "flood")
	refusedWith(t, status, body, http.StatusTooManyRequests, CodeMaxConnections)

	// Another address is served as usual.
	other, stop := context.WithCancel(ctx)
	if status, _ := openSSE(t, other, srv.URL, "other"); status != http.StatusOK {
		t.Fatalf("another client: HTTP %d", status)
	}
	stop()
	waitOpen(t, h.conns, "other", 0)

	// When the flood goes away its slots come back.
	cancel()
	waitOpen(t, h.conns, "flood", 0)
	waitOpen(t, h.subs, "flood", 0)
	if total, _ := h.conns.open(""); total != 0 || len(h.conns.byClient) != 0 {
		t.Fatalf("%d connections still counted, %d clients remembered", total, len(h.conns.byClient))
	}
}

// TestProcessCap fills the router from several addresses: the next client
// is refused with 503, since the router, not the client, is at its limit.
func TestProcessCap(t *testing.T) {
	t.Parallel()
	h := New(countdown(-1), Options{ClientKey: byHeader, Caps: Caps{MaxConnections: 3, MaxConnectionsPerClient: 2}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, client := range []string{"a", "a", "b"} {
		if status, _ := openSSE(t, ctx, srv.URL, client); status != http.StatusOK {
			t.Fatalf("client %s: HTTP %d", client, status)
		}
	}
	status, body := openSSE(t, ctx, srv.URL, "c")
	refusedWith(t, status, body, http.StatusServiceUnavailable, CodeMaxConnections)
	status, body = openSSE(t, ctx, srv.URL, "a")
	refusedWith(t, status, body, http.StatusTooManyRequests, CodeMaxConnections)
	c, resp, err := websocket.Dial(ctx, srv.URL, &websocket.DialOptions{Subprotocols: []string{Protocol}, HTTPHeader: http.Header{"X-Test-Client": {"c"}}})
	if err == nil {
		c.CloseNow()
		t.Fatal("WebSocket accepted by a full router")
	}
	if resp == nil {
		t.Fatalf("WebSocket handshake: %v, want 503", err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	refusedWith(t, resp.StatusCode, body, http.StatusServiceUnavailable, CodeMaxConnections)
}

// TestWebSocketSubscriptionCap runs subscriptions on one WebSocket up to
// the client's share: the next one gets an error message for its id, the
// connection stays usable, and completing one makes room.
func TestWebSocketSubscriptionCap(t *testing.T) {
	t.Parallel()
	h := New(countdown(-1), Options{Caps: Caps{MaxSubscriptionsPerClient: 2}})
	c, ctx := dial(t, h)
	write(t, ctx, c, `{"type":"connection_init"}`)
	read(t, ctx, c)
	write(t, ctx, c, `{"id":"1","type":"subscribe","payload":{"query":"subscription { n }"}}`)
	write(t, ctx, c, `{"id":"2","type":"subscribe","payload":{"query":"subscription { n }"}}`)
	write(t, ctx, c, `{"id":"3","type":"subscribe","payload":{"query":"subscription { n }"}}`)
	m := read(t, ctx, c)
	if m.Type != "error" || m.ID != "3" || !strings.Contains(string(m.Payload), CodeMaxSubscriptions) {
		t.Fatalf("got %s %s %s, want an error for 3 with %s", m.Type, m.ID, m.Payload, CodeMaxSubscriptions)
	}
	write(t, ctx, c, `{"type":"ping"}`)
	if m := read(t, ctx, c); m.Type != "pong" {
		t.Fatalf("the connection did not survive the refusal: %+v", m)
	}
	write(t, ctx, c, `{"id":"1","type":"complete"}`)
	waitOpen(t, h.subs, "127.0.0.1", 1)
	write(t, ctx, c, `{"id":"3","type":"subscribe","payload":{"query":"subscription { n }"}}`)
	waitOpen(t, h.subs, "127.0.0.1", 2)
	c.CloseNow()
	waitOpen(t, h.subs, "127.0.0.1", 0)
	waitOpen(t, h.conns, "127.0.0.1", 0)
}

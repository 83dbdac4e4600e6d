package subscriptions

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// recorder is a Runner that remembers the headers of the last subscription
// and completes at once.
type recorder struct {
	mu     sync.Mutex
	header http.Header
}

func (r *recorder) run(_ context.Context, _ *engine.Request, h http.Header, w engine.SubscriptionWriter) error {
	r.mu.Lock()
	r.header = h.Clone()
	r.mu.Unlock()
	_, _ = w.Write([]byte(`{"data":{"n":0}}`))
	return w.Flush()
}

func (r *recorder) last() http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.header
}

func TestInitPayloadCannotClaimAnAddress(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	set := func(next http.Handler) http.Handler { // what the router's client-address middleware does
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("X-Forwarded-For", "127.0.0.1")
			next.ServeHTTP(w, r)
		})
	}
	c, ctx := dial(t, set(New(rec.run, Options{})))
	write(t, ctx, c, `{"type":"connection_init","payload":{"headers":{"Authorization":"Bearer t","x-forwarded-for":"203.0.113.9","X-Real-IP":"203.0.113.9"}}}`)
	read(t, ctx, c)
	write(t, ctx, c, `{"id":"a","type":"subscribe","payload":{"query":"subscription { n }"}}`)
	if m := read(t, ctx, c); m.Type != "next" {
		t.Fatalf("got %+v", m)
	}
	h := rec.last()
	if h.Get("Authorization") != "Bearer t" {
		t.Fatalf("credentials from the payload lost: %v", h)
	}
	if got := h.Values("X-Forwarded-For"); len(got) != 1 || got[0] != "127.0.0.1" || h.Get("X-Real-Ip") != "" {
		t.Fatalf("the payload overrode the client address: %v", h)
	}
}

func TestInvalidUTF8(t *testing.T) {
	t.Parallel()
	t.Run("websocket message", func(t *testing.T) {
		t.Parallel()
		c, ctx := dial(t, New(countdown(1), Options{}))
		write(t, ctx, c, `{"type":"connection_init"}`)
		read(t, ctx, c)
		write(t, ctx, c, "{\"id\":\"a\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { n(s: \\\"\xff\\\") }\"}}")
		if code := closeCode(t, ctx, c); code != closeBadRequest {
			t.Fatalf("close code %d, want %d", code, closeBadRequest)
		}
	})
	h := New(countdown(1), Options{})
	cases := []struct {
		name string
		req  *http.Request
	}{
		{"SSE POST body", httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("{\"query\":\"subscription { n(s: \\\"\xc3\x28\\\") }\"}"))},
		{"SSE GET parameter", httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("subscription { n(s: \"\xff\") }"), nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.req.Header.Set("Accept", "text/event-stream")
			tc.req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.req)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "UTF-8") || !strings.Contains(w.Body.String(), "BAD_REQUEST") {
				t.Fatalf("want 400 BAD_REQUEST about UTF-8, got %d %s", w.Code, w.Body)
			}
		})
	}
}

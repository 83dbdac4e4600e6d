package subscriptions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// countdown is a Runner that emits n events and completes, or blocks until
// cancelled when n is negative.
func countdown(n int) Runner {
	return func(ctx context.Context, req *engine.Request, _ http.Header, w engine.SubscriptionWriter) error {
		if req.Query == "refuse" {
			return &engine.RequestError{Kind: engine.KindValidation, Errors: []engine.GraphQLError{{Message: "refused", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}}}
		}
		if n < 0 {
			<-ctx.Done()
			return nil
		}
		for i := 0; i < n; i++ {
			_, _ = w.Write([]byte(`{"data":{"n":` + string(rune('0'+i)) + `}}`))
			if err := w.Flush(); err != nil {
				return err
			}
		}
		return nil
	}
}

func dial(t *testing.T, h http.Handler) (*websocket.Conn, context.Context) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	c, resp, err := websocket.Dial(ctx, srv.URL, &websocket.DialOptions{Subprotocols: []string{Protocol}})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c, ctx
}

func write(t *testing.T, ctx context.Context, c *websocket.Conn, m string) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, ctx context.Context, c *websocket.Conn) message {
	t.Helper()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func closeCode(t *testing.T, ctx context.Context, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("read: %v", err)
		}
	}
}

func TestProtocol(t *testing.T) {
	t.Parallel()
	t.Run("events then complete", func(t *testing.T) {
		t.Parallel()
		c, ctx := dial(t, New(countdown(2), Options{}))
		write(t, ctx, c, `{"type":"connection_init"}`)
		if m := read(t, ctx, c); m.Type != "connection_ack" {
			t.Fatalf("got %+v", m)
		}
		write(t, ctx, c, `{"id":"a","type":"subscribe","payload":{"query":"subscription { n }"}}`)
		for _, want := range []string{`{"data":{"n":0}}`, `{"data":{"n":1}}`} {
			if m := read(t, ctx, c); m.Type != "next" || m.ID != "a" || string(m.Payload) != want {
				t.Fatalf("got %s %s %s", m.Type, m.ID, m.Payload)
			}
		}
		if m := read(t, ctx, c); m.Type != "complete" || m.ID != "a" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("refused operation", func(t *testing.T) {
		t.Parallel()
		c, ctx := dial(t, New(countdown(1), Options{}))
		write(t, ctx, c, `{"type":"connection_init"}`)
		read(t, ctx, c)
		write(t, ctx, c, `{"id":"a","type":"subscribe","payload":{"query":"refuse"}}`)
		if m := read(t, ctx, c); m.Type != "error" || m.ID != "a" {
			t.Fatalf("got %+v", m)
		}
	})
	closes := []struct {
		name     string
		opts     Options
		messages []string
		code     websocket.StatusCode
	}{
		{"subscribe before init", Options{}, []string{`{"id":"a","type":"subscribe","payload":{"query":"s"}}`}, closeUnauthorized},
		{"init twice", Options{}, []string{`{"type":"connection_init"}`, `{"type":"connection_init"}`}, closeTooManyInitReqs},
		{"duplicate id", Options{}, []string{`{"type":"connection_init"}`, `{"id":"a","type":"subscribe","payload":{"query":"s"}}`, `{"id":"a","type":"subscribe","payload":{"query":"s"}}`}, closeDuplicateID},
		{"unknown type", Options{}, []string{`{"type":"connection_init"}`, `{"type":"start"}`}, closeBadRequest},
		{"not json", Options{}, []string{`hello`}, closeBadRequest},
		{"init timeout", Options{InitTimeout: 50 * time.Millisecond}, nil, closeInitTimeout},
	}
	for _, tc := range closes {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ctx := dial(t, New(countdown(-1), tc.opts))
			for _, m := range tc.messages {
				write(t, ctx, c, m)
			}
			if code := closeCode(t, ctx, c); code != tc.code {
				t.Fatalf("close code %d, want %d", code, tc.code)
			}
		})
	}
}

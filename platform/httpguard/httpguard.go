// Package httpguard bounds what one HTTP client can make a service hold:
// request bodies (size and the time to send them), headers, idle
// connections, and the connections open at once, per process and per
// client address. It is the HTTP half of the limits every subgraph shares;
// platform/gqlguard is the GraphQL half.
//
// Client address means the TCP peer: proxy headers such as X-Forwarded-For
// are deliberately ignored here, since anyone can send them.
package httpguard

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/httpx"
)

// Error codes of refused requests and connections (extensions.code).
const (
	CodeTooLarge           = "REQUEST_TOO_LARGE"
	CodeTimeout            = "REQUEST_TIMEOUT"
	CodeBadRequest         = "BAD_REQUEST"
	CodeTooManyConnections = "TOO_MANY_CONNECTIONS"
)

// Limits are the HTTP limits of one server. A zero value disables the
// limit it sets.
type Limits struct {
	// MaxBodyBytes caps a request body; larger ones get 413.
	MaxBodyBytes int64
	// ReadHeaderTimeout bounds the wait for a request's headers.
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds the time a client takes to send a request body,
	// counted from the end of its headers; slower ones get 408.
	BodyTimeout time.Duration
	// WriteTimeout bounds a response that is not a stream (SSE and
	// WebSocket responses are exempt), counted from the end of the body.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection without a new request.
	IdleTimeout time.Duration
	// MaxConns caps the connections open at once; more get 503.
	MaxConns int
	// MaxConnsPerAddr caps the connections one client address holds;
	// more get 429.
	MaxConnsPerAddr int
}

// Defaults: every legitimate request of the shop fits in a 1 MiB body, and
// a caller such as the router (one address for all its traffic) fits in
// MaxConnsPerAddr.
const (
	DefaultMaxBodyBytes      = 1 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyTimeout       = 15 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxConns          = 4096
	DefaultMaxConnsPerAddr   = 1024
)

// DefaultLimits returns the defaults above.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:      DefaultMaxBodyBytes,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		BodyTimeout:       DefaultBodyTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxConns:          DefaultMaxConns,
		MaxConnsPerAddr:   DefaultMaxConnsPerAddr,
	}
}

// Load reads the limits from env, recording problems on it:
//
//	HTTP_MAX_BODY_BYTES        request body cap (default 1048576)
//	HTTP_READ_HEADER_TIMEOUT   wait for request headers (default 10s)
//	HTTP_BODY_TIMEOUT          time to send a request body (default 15s)
//	HTTP_WRITE_TIMEOUT         time to answer a request that is not a stream (default 60s)
//	HTTP_IDLE_TIMEOUT          idle keep-alive connections are closed after (default 120s)
//	HTTP_MAX_CONNS             connections open at once (default 4096)
//	HTTP_MAX_CONNS_PER_ADDR    connections open at once per client address (default 1024)
//
// 0 disables a limit; negative values are refused.
func Load(env *config.Env) Limits {
	d := DefaultLimits()
	l := Limits{
		MaxBodyBytes:      int64(env.Int("HTTP_MAX_BODY_BYTES", int(d.MaxBodyBytes))),
		ReadHeaderTimeout: env.Duration("HTTP_READ_HEADER_TIMEOUT", d.ReadHeaderTimeout),
		BodyTimeout:       env.Duration("HTTP_BODY_TIMEOUT", d.BodyTimeout),
		WriteTimeout:      env.Duration("HTTP_WRITE_TIMEOUT", d.WriteTimeout),
		IdleTimeout:       env.Duration("HTTP_IDLE_TIMEOUT", d.IdleTimeout),
		MaxConns:          env.Int("HTTP_MAX_CONNS", d.MaxConns),
		MaxConnsPerAddr:   env.Int("HTTP_MAX_CONNS_PER_ADDR", d.MaxConnsPerAddr),
	}
	for _, v := range []struct {
		name string
		v    int64
	}{
		{"HTTP_MAX_BODY_BYTES", l.MaxBodyBytes},
		{"HTTP_READ_HEADER_TIMEOUT", int64(l.ReadHeaderTimeout)},
		{"HTTP_BODY_TIMEOUT", int64(l.BodyTimeout)},
		{"HTTP_WRITE_TIMEOUT", int64(l.WriteTimeout)},
		{"HTTP_IDLE_TIMEOUT", int64(l.IdleTimeout)},
		{"HTTP_MAX_CONNS", int64(l.MaxConns)},
		{"HTTP_MAX_CONNS_PER_ADDR", int64(l.MaxConnsPerAddr)},
	} {
		if v.v < 0 {
			env.Problem("%s must not be negative (0 disables the limit)", v.name)
		}
	}
	return l
}

// Server returns an http.Server serving h behind l: header and idle
// timeouts on the server, body, write and size limits per request. No
// server-wide ReadTimeout or WriteTimeout is set, because those would also
// end SSE and WebSocket streams; the per-request deadlines skip streams.
func (l Limits) Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           l.Handler(h),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
	}
}

// Serve serves h on ln behind l (Server, Listener) and runs the workers
// until ctx ends, then drains and shuts down as d says (httpx.ServeDrained).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, l Limits, log *slog.Logger, d *httpx.Drain, workers ...httpx.Worker) error {
	return httpx.ServeDrained(ctx, l.Listener(ln), l.Server(h), log, d, workers...)
}

// WriteError answers with status and a GraphQL-shaped JSON error carrying
// code, so GraphQL clients read refusals like any other error.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(code, msg))
}

func errorBody(code, msg string) []byte {
	b, err := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message":    msg,
		"extensions": map[string]any{"code": code},
	}}})
	if err != nil { // a map of strings always marshals
		panic(err)
	}
	return b
}

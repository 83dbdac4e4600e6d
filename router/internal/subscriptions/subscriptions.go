// Package subscriptions serves GraphQL subscriptions to clients over
// WebSocket (the graphql-transport-ws protocol) and Server-Sent Events (the
// GraphQL over SSE "distinct connections" mode). It is transport only: a
// Runner (the engine) opens the subscription and writes each event.
package subscriptions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// Runner runs one subscription, writing every event to w, and returns when
// it completed or ctx ended. A *engine.RequestError means it was refused
// before any event.
type Runner func(ctx context.Context, req *engine.Request, header http.Header, w engine.SubscriptionWriter) error

// Hook sees each subscription request before it runs (persisted queries,
// limits); a *engine.RequestError refuses it.
type Hook func(r *http.Request, req *engine.Request, extensions json.RawMessage) error

// Options configure a Handler.
type Options struct {
	// MaxRequestBytes caps SSE request bodies and WebSocket messages.
	MaxRequestBytes int64
	// InitTimeout bounds the wait for connection_init (default 10s).
	InitTimeout time.Duration
	// Hook, when set, runs before each subscription.
	Hook Hook
	// Logger receives transport failures; nil discards them.
	Logger *slog.Logger
	// Caps bound the connections and subscriptions held open, in all and
	// per client; zero values are unlimited.
	Caps Caps
	// ClientKey names the client a request comes from for the per-client
	// caps (default PeerAddress).
	ClientKey func(*http.Request) string
	// Authenticate, when set, checks a WebSocket's credentials once
	// connection_init is read: the upgrade request's headers with the
	// payload's applied. It returns the context the connection's
	// subscriptions run with (carrying what it verified); an error closes
	// the connection with 4403 and the error's text as the reason. SSE
	// streams are plain HTTP requests: the router checks them before
	// this handler.
	Authenticate func(ctx context.Context, header http.Header) (context.Context, error)
}

// Handler serves subscriptions on the GraphQL endpoint.
type Handler struct {
	run   Runner
	opts  Options
	log   *slog.Logger
	conns *gauge
	subs  *gauge
}

// New returns a handler running subscriptions with run.
func New(run Runner, o Options) *Handler {
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = 1 << 20
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = 10 * time.Second
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.ClientKey == nil {
		o.ClientKey = PeerAddress
	}
	return &Handler{
		run: run, opts: o, log: log,
		conns: newGauge(CodeMaxConnections, "connections", o.Caps.MaxConnections, o.Caps.MaxConnectionsPerClient),
		subs:  newGauge(CodeMaxSubscriptions, "subscriptions", o.Caps.MaxSubscriptions, o.Caps.MaxSubscriptionsPerClient),
	}
}

// Accepts reports whether r asks for a stream: a WebSocket upgrade or an
// Accept header listing text/event-stream. Other requests are ordinary
// GraphQL requests; the check costs two header lookups.
func Accepts(r *http.Request) bool {
	if r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return true
	}
	return strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// ServeHTTP dispatches to the WebSocket or SSE transport. Both hold a
// connection slot of the client for as long as they are open; a client
// over its share, or a router that is full, is refused before anything is
// read (429 or 503 with MAX_CONNECTIONS_LIMIT).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	client := h.opts.ClientKey(r)
	release, refused := h.conns.acquire(client)
	if refused != nil {
		writeJSONErrors(w, refused.status, refused.err)
		return
	}
	defer release()
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		h.serveWS(w, r, client)
		return
	}
	h.serveSSE(w, r, client)
}

// payload is a GraphQL request inside a subscribe message or SSE body.
type payload struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func (p payload) request() (*engine.Request, error) {
	req := &engine.Request{Query: p.Query, OperationName: p.OperationName}
	if v := bytes.TrimSpace(p.Variables); len(v) > 0 && !bytes.Equal(v, []byte("null")) {
		if v[0] != '{' {
			return nil, errors.New("variables must be a JSON object")
		}
		req.Variables = v
	}
	return req, nil
}

// prepare applies the hook and checks that a query remains.
func (h *Handler) prepare(r *http.Request, p payload) (*engine.Request, error) {
	req, err := p.request()
	if err != nil {
		return nil, badRequest(err.Error())
	}
	if h.opts.Hook != nil {
		if err := h.opts.Hook(r, req, p.Extensions); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		return nil, badRequest("the request has no query")
	}
	return req, nil
}

func badRequest(msg string) *engine.RequestError {
	return &engine.RequestError{Kind: engine.KindBadRequest, Errors: []engine.GraphQLError{{
		Message: msg, Extensions: map[string]any{"code": "BAD_REQUEST"},
	}}}
}

// errorList renders err as a GraphQL errors array.
func errorList(err error) []engine.GraphQLError {
	if re, ok := engine.AsRequestError(err); ok {
		return re.Errors
	}
	return []engine.GraphQLError{{Message: "internal server error", Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"}}}
}

// errNotUTF8 refuses requests that are not valid UTF-8, which encoding/json
// would otherwise quietly repair into a different query.
var errNotUTF8 = errors.New("the request is not valid UTF-8")

// readSSERequest reads a POST JSON body or GET query parameters.
func (h *Handler) readSSERequest(r *http.Request) (payload, error) {
	var p payload
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		for _, vs := range q {
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return p, errNotUTF8
				}
			}
		}
		p.Query, p.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			p.Variables = json.RawMessage(v)
		}
		if v := q.Get("extensions"); v != "" {
			p.Extensions = json.RawMessage(v)
		}
		return p, nil
	case http.MethodPost:
		if ct := r.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
				return p, errors.New("content type must be application/json")
			}
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, h.opts.MaxRequestBytes+1))
		if err != nil {
			return p, errors.New("cannot read request body")
		}
		if int64(len(body)) > h.opts.MaxRequestBytes {
			return p, errors.New("request body too large")
		}
		if !utf8.Valid(body) {
			return p, errNotUTF8
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return p, errors.New("request body is not a valid JSON GraphQL request")
		}
		return p, nil
	}
	return p, fmt.Errorf("method %s not allowed", r.Method)
}

package gqlguard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/shopsupergraph/shop/platform/httpguard"
)

type (
	peerKey  struct{}
	heldSlot struct{}
)

// peer returns the client address key Handler recorded in ctx.
func peer(ctx context.Context) string {
	p, _ := ctx.Value(peerKey{}).(string)
	return p
}

// holdsSlot reports whether the request already holds a subscription slot.
func holdsSlot(ctx context.Context) bool { return ctx.Value(heldSlot{}) != nil }

// Handler wraps the GraphQL endpoint next (the handler.Server of Install):
//
//   - a JSON POST body must be a GraphQL request (an object whose query
//     and operationName are strings, variables and extensions objects);
//     gqlgen would answer anything else with the whole body quoted in its
//     error message (and log it for SSE), so it gets a short 400 here;
//   - an SSE request is a subscription stream: it takes a subscription
//     slot for its life, or gets 429 (address over its cap) or 503
//     (process over its cap) with a JSON error before any event;
//   - the client address (TCP peer) goes into the context, for the
//     subscriptions WebSocket clients start.
func (g *Guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), peerKey{}, httpguard.PeerKey(r.RemoteAddr))
		if r.Method == http.MethodPost && isJSON(r) && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				// Bodies arrive read in full (httpguard); this is a
				// client gone away or a handler used without it.
				httpguard.WriteError(w, http.StatusBadRequest, CodeBadRequest, "the request body could not be read")
				return
			}
			if msg := checkParams(body); msg != "" {
				httpguard.WriteError(w, http.StatusBadRequest, CodeBadRequest, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			release, err := g.subs.Acquire(peer(ctx))
			if err != nil {
				status := http.StatusServiceUnavailable
				if errors.Is(err, httpguard.ErrAddrFull) {
					status = http.StatusTooManyRequests
				}
				w.Header().Set("Retry-After", "1")
				httpguard.WriteError(w, status, CodeTooManySubs, subsError(err).Message)
				return
			}
			defer release()
			ctx = context.WithValue(ctx, heldSlot{}, true)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// checkParams returns why body is not a GraphQL request gqlgen can decode
// ("" when it is). It decodes like gqlgen (the first JSON value; names
// matched as encoding/json does) into raw parts and checks their kinds.
func checkParams(body []byte) string {
	const shape = `the request body must be a JSON object: {"query": string, "operationName": string, "variables": object, "extensions": object}`
	var p struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return "the request body is not valid JSON"
		}
		return shape
	}
	for _, part := range []struct {
		raw  json.RawMessage
		kind byte
	}{{p.Query, '"'}, {p.OperationName, '"'}, {p.Variables, '{'}, {p.Extensions, '{'}} {
		if len(part.raw) > 0 && part.raw[0] != part.kind && string(part.raw) != "null" {
			return shape
		}
	}
	return ""
}

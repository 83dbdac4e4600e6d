package subscriptions

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Protocol is the WebSocket subprotocol spoken to clients.
const Protocol = "graphql-transport-ws"

// Close codes of graphql-transport-ws.
const (
	closeBadRequest      websocket.StatusCode = 4400
	closeUnauthorized    websocket.StatusCode = 4401
	closeForbidden       websocket.StatusCode = 4403
	closeInitTimeout     websocket.StatusCode = 4408
	closeDuplicateID     websocket.StatusCode = 4409
	closeTooManyInitReqs websocket.StatusCode = 4429
)

type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsConn is one client connection and its running subscriptions.
type wsConn struct {
	h      *Handler
	r      *http.Request
	c      *websocket.Conn
	ctx    context.Context
	header http.Header
	client string

	mu   sync.Mutex
	subs map[string]context.CancelFunc
}

func (h *Handler) serveWS(w http.ResponseWriter, r *http.Request, client string) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Protocol}})
	if err != nil {
		h.log.Warn("websocket accept", "err", err)
		return
	}
	if c.Subprotocol() != Protocol {
		_ = c.Close(websocket.StatusProtocolError, "subprotocol "+Protocol+" required")
		return
	}
	c.SetReadLimit(h.opts.MaxRequestBytes)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	conn := &wsConn{h: h, r: r, c: c, ctx: ctx, header: r.Header.Clone(), client: client, subs: map[string]context.CancelFunc{}}
	code, reason := conn.loop()
	conn.mu.Lock()
	for _, stop := range conn.subs {
		stop()
	}
	conn.mu.Unlock()
	_ = c.Close(code, reason)
}

func (c *wsConn) send(m message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.c.Write(c.ctx, websocket.MessageText, data)
}

// loop reads client messages until the connection ends; it returns the
// close code and reason.
func (c *wsConn) loop() (websocket.StatusCode, string) {
	// Reading with a deadline context would drop the connection without a
	// close frame, so the init timeout closes it from a timer instead.
	var acked atomic.Bool
	timer := time.AfterFunc(c.h.opts.InitTimeout, func() {
		if !acked.Load() {
			_ = c.c.Close(closeInitTimeout, "Connection initialisation timeout")
		}
	})
	defer timer.Stop()
	for {
		_, data, err := c.c.Read(c.ctx)
		if err != nil {
			return websocket.StatusNormalClosure, ""
		}
		// encoding/json would turn invalid UTF-8 into U+FFFD and run a
		// query the client did not send.
		if !utf8.Valid(data) {
			return closeBadRequest, "Invalid message received: not UTF-8"
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
			return closeBadRequest, "Invalid message received"
		}
		switch m.Type {
		case "connection_init":
			if acked.Load() {
				return closeTooManyInitReqs, "Too many initialisation requests"
			}
			c.applyInitPayload(m.Payload)
			if code, reason := c.authenticate(); code != 0 {
				return code, reason
			}
			acked.Store(true)
			if err := c.send(message{Type: "connection_ack"}); err != nil {
				return websocket.StatusNormalClosure, ""
			}
		case "ping":
			if err := c.send(message{Type: "pong", Payload: m.Payload}); err != nil {
				return websocket.StatusNormalClosure, ""
			}
		case "pong":
		case "subscribe":
			if !acked.Load() {
				return closeUnauthorized, "Unauthorized"
			}
			if m.ID == "" {
				return closeBadRequest, "subscribe needs an id"
			}
			if !c.start(m) {
				return closeDuplicateID, "Subscriber for " + m.ID + " already exists"
			}
		case "complete":
			c.stop(m.ID)
		default:
			return closeBadRequest, "Unknown message type " + m.Type
		}
	}
}

// applyInitPayload lets browser clients, which cannot set headers on a
// WebSocket, pass credentials in connection_init: string members of the
// payload become request headers for the subscriptions of the connection
// (header propagation then decides which reach the subgraphs).
func (c *wsConn) applyInitPayload(raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var p map[string]any
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	if nested, ok := p["headers"].(map[string]any); ok {
		p = nested
	}
	for k, v := range p {
		if s, ok := v.(string); ok && k != "" && !strings.ContainsAny(k, " :\r\n") && !routerOwned(k) {
			c.header.Set(k, s)
		}
	}
}

// authenticate runs Options.Authenticate on the connection's headers, once
// connection_init applied its payload and before any subscription starts
// (so nothing else reads c.ctx yet). A refusal is a close code and reason;
// 0 means the connection may go on.
func (c *wsConn) authenticate() (websocket.StatusCode, string) {
	if c.h.opts.Authenticate == nil {
		return 0, ""
	}
	ctx, err := c.h.opts.Authenticate(c.ctx, c.header)
	if err != nil {
		reason := err.Error()
		if len(reason) > maxCloseReason {
			reason = strings.ToValidUTF8(reason[:maxCloseReason], "")
		}
		return closeForbidden, reason
	}
	c.ctx, c.r = ctx, c.r.WithContext(ctx)
	return 0, ""
}

// maxCloseReason is the longest close reason a WebSocket close frame holds
// (RFC 6455: 125 bytes of payload, 2 of them the code).
const maxCloseReason = 123

// routerOwned are headers the router sets itself from the connection (the
// client address chain): a payload must not override them, or any client
// could claim any address towards the subgraphs.
func routerOwned(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host", "X-Forwarded-Proto":
		return true
	}
	return false
}

// start runs a subscription in its own goroutine; false means the id is
// already in use. A subscription over the caps is answered with an error
// message for its id (MAX_SUBSCRIPTIONS_LIMIT); the connection stays.
func (c *wsConn) start(m message) bool {
	c.mu.Lock()
	if _, dup := c.subs[m.ID]; dup {
		c.mu.Unlock()
		return false
	}
	release, refused := c.h.subs.acquire(c.client)
	if refused != nil {
		c.mu.Unlock()
		c.sendError(m.ID, refused.err)
		return true
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.subs[m.ID] = cancel
	c.mu.Unlock()
	go func() {
		defer release()
		defer c.finish(m.ID, cancel)
		var p payload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			c.sendError(m.ID, badRequest("subscribe payload must be a GraphQL request object"))
			return
		}
		req, err := c.h.prepare(c.r, p)
		if err != nil {
			c.sendError(m.ID, err)
			return
		}
		w := &wsWriter{c: c, id: m.ID}
		if err := c.h.run(ctx, req, c.header, w); err != nil {
			if !w.sent() {
				c.sendError(m.ID, err)
				return
			}
			c.h.log.Warn("subscription ended with an error", "id", m.ID, "err", err)
		}
		if ctx.Err() == nil {
			w.Complete()
		}
	}()
	return true
}

func (c *wsConn) sendError(id string, err error) {
	payload, _ := json.Marshal(errorList(err))
	_ = c.send(message{ID: id, Type: "error", Payload: payload})
}

// stop cancels a subscription the client completed; no complete is sent back.
func (c *wsConn) stop(id string) {
	c.mu.Lock()
	cancel := c.subs[id]
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (c *wsConn) finish(id string, cancel context.CancelFunc) {
	cancel()
	c.mu.Lock()
	delete(c.subs, id)
	c.mu.Unlock()
}

// wsWriter adapts the engine's subscription writer to "next" messages.
type wsWriter struct {
	c        *wsConn
	id       string
	mu       sync.Mutex
	buf      bytes.Buffer
	any      bool
	complete bool
}

func (w *wsWriter) sent() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.any
}

func (w *wsWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// Flush sends the buffered response as a "next" message.
func (w *wsWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.complete || w.buf.Len() == 0 {
		return nil
	}
	payload := json.RawMessage(bytes.Clone(w.buf.Bytes()))
	w.buf.Reset()
	w.any = true
	return w.c.send(message{ID: w.id, Type: "next", Payload: payload})
}

// Complete tells the client the subscription ended.
func (w *wsWriter) Complete() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.complete {
		return
	}
	w.complete = true
	_ = w.c.send(message{ID: w.id, Type: "complete"})
}

// Heartbeat is a no-op: graphql-transport-ws uses ping/pong messages.
func (w *wsWriter) Heartbeat() error { return nil }

// Error sends a final error response as a "next" message.
func (w *wsWriter) Error(data []byte) {
	w.mu.Lock()
	w.buf.Reset()
	w.buf.Write(data)
	w.mu.Unlock()
	_ = w.Flush()
}

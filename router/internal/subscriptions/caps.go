package subscriptions

import (
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// Extension codes of refused streams.
const (
	// CodeMaxConnections refuses a WebSocket connection or an SSE stream
	// beyond Caps.MaxConnections or Caps.MaxConnectionsPerClient.
	CodeMaxConnections = "MAX_CONNECTIONS_LIMIT"
	// CodeMaxSubscriptions refuses a subscription beyond
	// Caps.MaxSubscriptions or Caps.MaxSubscriptionsPerClient.
	CodeMaxSubscriptions = "MAX_SUBSCRIPTIONS_LIMIT"
)

// Caps bound what clients hold open; zero means unlimited. Connections are
// WebSocket connections and SSE streams; subscriptions are the operations
// running on them (an SSE stream runs one, a WebSocket any number). Every
// one of them holds a goroutine, buffers and a subscription at a subgraph
// for as long as the client likes, so a single address must not be able to
// open thousands.
type Caps struct {
	MaxConnections            int
	MaxConnectionsPerClient   int
	MaxSubscriptions          int
	MaxSubscriptionsPerClient int
}

// refusal tells a client why a stream was refused.
type refusal struct {
	status int
	err    *engine.RequestError
}

// gauge counts what is open, in all and per client address.
type gauge struct {
	code, what      string
	limit, perLimit int

	mu       sync.Mutex
	total    int
	byClient map[string]int
}

func newGauge(code, what string, limit, perClient int) *gauge {
	return &gauge{code: code, what: what, limit: limit, perLimit: perClient, byClient: map[string]int{}}
}

// acquire takes one slot for client, or says why it cannot; release gives
// it back and must be called exactly once.
func (g *gauge) acquire(client string) (release func(), refused *refusal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.perLimit > 0 && g.byClient[client] >= g.perLimit:
		// The client's own share is used up: it may retry once it closes
		// some (429, as for any per-client rate limit).
		return nil, refuse(http.StatusTooManyRequests, g.code, "too many open %s from this client address (limit %d)", g.what, g.perLimit)
	case g.limit > 0 && g.total >= g.limit:
		// The router is full: another replica may take it (503).
		return nil, refuse(http.StatusServiceUnavailable, g.code, "the router serves its maximum of %d open %s; retry later", g.limit, g.what)
	}
	g.total++
	g.byClient[client]++
	var once sync.Once
	return func() { once.Do(func() { g.release(client) }) }, nil
}

func (g *gauge) release(client string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if n := g.byClient[client] - 1; n > 0 {
		g.byClient[client] = n
	} else {
		delete(g.byClient, client)
	}
}

// open reports the slots in use, in all and for client (tests).
func (g *gauge) open(client string) (total, forClient int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total, g.byClient[client]
}

func refuse(status int, code, format string, args ...any) *refusal {
	return &refusal{status: status, err: &engine.RequestError{Kind: engine.KindBadRequest, Errors: []engine.GraphQLError{{
		Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code},
	}}}}
}

// PeerAddress is the default client key: the TCP peer's address without
// its port. Behind a proxy, pass a key that reads the forwarded chain from
// trusted proxies only.
func PeerAddress(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

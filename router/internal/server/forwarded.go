package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ForwardedForHeader carries the client address chain to the subgraphs.
const ForwardedForHeader = "X-Forwarded-For"

// ClientAddress writes on each request the X-Forwarded-For the router
// vouches for, before anything reads the request headers: the engine then
// forwards it to the subgraphs like any propagated header (and keys
// deduplication with it, so requests of different clients are never merged).
type ClientAddress struct {
	trusted []netip.Prefix
}

// NewClientAddress returns a ClientAddress that keeps the incoming
// X-Forwarded-For of peers inside trusted.
func NewClientAddress(trusted []netip.Prefix) *ClientAddress {
	return &ClientAddress{trusted: trusted}
}

// Middleware sets X-Forwarded-For on every request before next sees it.
func (c *ClientAddress) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Apply(r)
		next.ServeHTTP(w, r)
	})
}

// Apply rewrites r's X-Forwarded-For. A trusted proxy's chain is kept and
// the proxy's own address appended (each hop appends the peer it saw); any
// other peer could have written anything there, so its chain is replaced
// by the peer address alone. A peer address that does not parse (not a TCP
// connection) leaves no header: better no address than a forged one.
func (c *ClientAddress) Apply(r *http.Request) {
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok {
		r.Header.Del(ForwardedForHeader)
		return
	}
	addr := peer.String()
	if c.isTrusted(peer) {
		if prior := r.Header.Values(ForwardedForHeader); len(prior) > 0 {
			addr = strings.Join(prior, ", ") + ", " + addr
		}
	}
	r.Header[ForwardedForHeader] = []string{addr}
}

func (c *ClientAddress) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr parses "ip:port" (or a bare ip) into an address without zone,
// IPv4-mapped IPv6 addresses as IPv4.
func peerAddr(remote string) (netip.Addr, bool) {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// ClientKey returns a function naming the client a request comes from,
// for per-client limits: the TCP peer, or, when the peer is one of the
// trusted proxies, the nearest address of X-Forwarded-For that is not a
// trusted proxy (the client the first trusted proxy saw). Addresses
// written by anyone else are never believed, so a client cannot spread
// itself over many keys by inventing headers. It works with or without
// the ClientAddress middleware in front.
func ClientKey(trusted []netip.Prefix) func(*http.Request) string {
	c := &ClientAddress{trusted: trusted}
	return func(r *http.Request) string {
		peer, ok := peerAddr(r.RemoteAddr)
		if !ok {
			return r.RemoteAddr
		}
		if !c.isTrusted(peer) {
			return peer.String()
		}
		chain := strings.Split(strings.Join(r.Header.Values(ForwardedForHeader), ","), ",")
		for i := len(chain) - 1; i >= 0; i-- {
			hop := strings.TrimSpace(chain[i])
			if hop == "" {
				continue
			}
			a, ok := peerAddr(hop)
			if !ok {
				return hop // a trusted proxy wrote it: it names the client
			}
			if !c.isTrusted(a) {
				return a.String()
			}
		}
		return peer.String()
	}
}

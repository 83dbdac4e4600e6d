// Package clientip finds the address of the client behind a request. Only a
// trusted proxy (the router, a load balancer) may speak for a client through
// a forwarding header; anyone else could write any address there, so for
// them the TCP peer address is the client.
//
// Nothing is trusted unless configured: a default that trusted, say, the
// private ranges would let every peer on the internal network pick its own
// address and so escape every per-address limit. Deployments name exactly
// their proxies (typically the router's address).
package clientip

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// DefaultHeader is the forwarding header read by default.
const DefaultHeader = "X-Forwarded-For"

// Resolver picks the client address of requests.
type Resolver struct {
	header  string
	trusted []netip.Prefix
}

// NewResolver returns a Resolver that believes header (DefaultHeader when
// empty) on requests whose peer is inside one of the trusted CIDRs (or is
// one of the trusted addresses); with none, it never reads the header.
func NewResolver(header string, trustedCIDRs []string) (*Resolver, error) {
	if header == "" {
		header = DefaultHeader
	}
	r := &Resolver{header: http.CanonicalHeaderKey(header)}
	for _, c := range trustedCIDRs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		p, err := parsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("new client ip resolver: %w", err)
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

// parsePrefix accepts a CIDR or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the client's address for req. When the peer is a
// trusted proxy it reads the forwarding header from the right, skipping
// further trusted proxies, and returns the first address that is not one:
// every proxy appends the address it saw, so the entries left of that one
// are whatever the client chose to send. When every entry is trusted (the
// client itself sits in a private network) the left-most entry is the
// client. Malformed entries stop the walk at the last good address. The
// result is empty only when not even the peer address parses.
func (r *Resolver) ClientAddr(req *http.Request) string {
	peer, ok := parseHost(req.RemoteAddr)
	if !ok {
		return ""
	}
	if !r.isTrusted(peer) {
		return peer.String()
	}
	var entries []string
	for _, v := range req.Header.Values(r.header) {
		entries = append(entries, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		a, ok := parseHost(strings.TrimSpace(entries[i]))
		if !ok {
			break
		}
		client = a
		if !r.isTrusted(a) {
			break
		}
	}
	return client.String()
}

// parseHost parses "ip", "ip:port" or "[ipv6]:port".
func parseHost(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// Bucket returns the unit a per-address limit should count: an IPv4
// address itself, and the /64 network of an IPv6 address, because one
// subscriber commonly holds a whole /64 and could otherwise rotate through
// it. Strings that are not addresses are returned unchanged.
func Bucket(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Unmap().Is6() {
		return addr
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

type ctxKey struct{}

// Middleware stores the client address of each request in its context.
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req.WithContext(WithAddr(req.Context(), r.ClientAddr(req))))
	})
}

// WithAddr returns ctx carrying addr as the client address.
func WithAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, ctxKey{}, addr)
}

// FromContext returns the client address stored by Middleware, or "".
func FromContext(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

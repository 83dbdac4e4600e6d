package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// ClientAddress configures how the router tells subgraphs who the client
// is. Subgraphs that limit by client address (the users subgraph throttles
// logins per address) see only the router as their peer, so the router
// states the client's address in X-Forwarded-For on every subgraph request.
type ClientAddress struct {
	// Forward sets X-Forwarded-For on every subgraph request (default
	// true); nil means the default.
	Forward *bool `yaml:"forward"`
	// TrustedProxies lists the peers (CIDRs or single addresses) allowed to
	// speak for a client: from them an incoming X-Forwarded-For is kept and
	// the peer address appended; from anyone else it is replaced by the
	// peer address, since a client could write any address there. Empty by
	// default: the router is the edge.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// ForwardClientAddress reports whether subgraph requests carry the
// client's address in X-Forwarded-For.
func (c Config) ForwardClientAddress() bool {
	return c.ClientAddress.Forward == nil || *c.ClientAddress.Forward
}

// ParseTrustedProxies parses CIDRs and single addresses into prefixes.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

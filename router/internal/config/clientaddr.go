package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ClientAddress configures how the router tells subgraphs who the client
// is. Subgraphs that limit by client address (the users subgraph throttles
// logins per address) see only the router as their peer, so the router
// states the client's address in X-Forwarded-For on their requests.
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
	// ForwardTo names the subgraphs that receive the address; empty means
	// every subgraph. The address keeps the requests of different clients
	// apart in deduplication, so sending it only where it is read lets the
	// other subgraphs' identical requests merge.
	ForwardTo []string `yaml:"forward_to"`
}

// ClientAddressSubgraphs returns the subgraphs that receive the client's
// address, nil meaning all of them.
func (c Config) ClientAddressSubgraphs() []string {
	if len(c.ClientAddress.ForwardTo) == 0 {
		return nil
	}
	return c.ClientAddress.ForwardTo
}

func (c Config) validateClientAddress() []error {
	var errs []error
	if _, err := ParseTrustedProxies(c.ClientAddress.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("client_address.trusted_proxies: %w", err))
	}
	for _, name := range c.ClientAddress.ForwardTo {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, errors.New("client_address.forward_to: empty subgraph name"))
		}
	}
	return errs
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

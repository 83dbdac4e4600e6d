package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// URL problems, each reported to staff as a WebhookError.
var (
	// ErrBadURL: not an absolute https URL of a host.
	ErrBadURL = errors.New("invalid url")
	// ErrAddressNotAllowed: the host is or resolves to a private,
	// loopback, link-local or otherwise non-public address.
	ErrAddressNotAllowed = errors.New("address not allowed")
)

// URLGuard decides which endpoint URLs may be registered and which
// addresses the dispatcher may dial (server-side request forgery: an
// endpoint must not reach into the shop's own network).
type URLGuard struct {
	// AllowPrivate lets endpoints reach private and loopback addresses
	// (development and tests: WEBHOOKS_ALLOW_PRIVATE).
	AllowPrivate bool
	// Resolver looks host names up; net.DefaultResolver when nil.
	Resolver *net.Resolver
}

// CheckURL validates raw at registration: https, a host, no user info,
// and every address the host resolves to public (unless AllowPrivate).
// It returns the URL as it will be stored.
func (g URLGuard) CheckURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > MaxURL {
		return "", fmt.Errorf("%w: give an https URL of at most %d bytes", ErrBadURL, MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrBadURL, strings.TrimPrefix(err.Error(), "parse "))
	}
	switch {
	case u.Scheme != "https":
		return "", fmt.Errorf("%w: the scheme must be https", ErrBadURL)
	case u.Hostname() == "":
		return "", fmt.Errorf("%w: the URL has no host", ErrBadURL)
	case u.User != nil:
		return "", fmt.Errorf("%w: credentials in the URL are not allowed", ErrBadURL)
	case u.Fragment != "":
		return "", fmt.Errorf("%w: fragments are not allowed", ErrBadURL)
	}
	if g.AllowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !Public(ip) {
			return "", fmt.Errorf("%w: %s is not a public address", ErrAddressNotAllowed, ip)
		}
		return u.String(), nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return "", fmt.Errorf("%w: host %s does not resolve", ErrBadURL, host)
	}
	for _, ip := range addrs {
		if !Public(ip) {
			return "", fmt.Errorf("%w: %s resolves to %s, not a public address", ErrAddressNotAllowed, host, ip.Unmap())
		}
	}
	return u.String(), nil
}

// Control is a net.Dialer Control function that refuses to connect to a
// non-public address (unless AllowPrivate). It runs on the address
// actually dialed, after name resolution, so a host that resolved to a
// public address at registration and to a private one later (DNS
// rebinding) is still refused.
func (g URLGuard) Control(_, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address", ErrAddressNotAllowed, ap.Addr().Unmap())
	}
	return nil
}

// nonPublic are ranges that are neither loopback, private nor link-local
// by netip's predicates but still must not be reached: carrier-grade NAT,
// benchmarking, documentation, IPv4-translated and 6to4 relays, and the
// reserved 240/4.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether ip is a public unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

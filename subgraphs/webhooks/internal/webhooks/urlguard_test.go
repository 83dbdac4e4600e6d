package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

func TestPublic(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::1111": true, "8.8.8.8": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "224.0.0.1": false, "::1": false, "fe80::1": false, "fd00::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "198.18.0.1": false,
	} {
		if got := webhooks.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestDialRefusesPrivateAddress: the delivery client checks the address
// it actually dials, so a registered host that later resolves to a
// loopback or private address (DNS rebinding) is still refused, and
// nothing reaches the server.
func TestDialRefusesPrivateAddress(t *testing.T) {
	t.Parallel()
	var reached atomic.Bool
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	t.Cleanup(srv.Close)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := webhooks.Client(webhooks.URLGuard{}, pool).Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the guarded client reached a loopback server")
	}
	if !errors.Is(err, webhooks.ErrAddressNotAllowed) || reached.Load() {
		t.Fatalf("err = %v (reached %v), want ErrAddressNotAllowed", err, reached.Load())
	}

	req, err = http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = webhooks.Client(webhooks.URLGuard{AllowPrivate: true}, pool).Do(req)
	if err != nil {
		t.Fatalf("with AllowPrivate: %v", err)
	}
	resp.Body.Close()
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	g := webhooks.URLGuard{}
	for raw, want := range map[string]error{
		"https://93.184.215.14/hooks?x=1": nil,
		"https://127.0.0.1/":              webhooks.ErrAddressNotAllowed,
		"https://[fd00::1]/":              webhooks.ErrAddressNotAllowed,
		"https://localhost:8443/":         webhooks.ErrAddressNotAllowed,
		"http://93.184.215.14/":           webhooks.ErrBadURL,
		"ftp://93.184.215.14/":            webhooks.ErrBadURL,
		"https:///nohost":                 webhooks.ErrBadURL,
		"https://u:p@93.184.215.14/":      webhooks.ErrBadURL,
		"":                                webhooks.ErrBadURL,
	} {
		_, err := g.CheckURL(context.Background(), raw)
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("CheckURL(%q) = %v, want %v", raw, err, want)
		}
	}
	if _, err := (webhooks.URLGuard{AllowPrivate: true}).CheckURL(context.Background(), "https://127.0.0.1:9/"); err != nil {
		t.Errorf("AllowPrivate refused loopback: %v", err)
	}
}

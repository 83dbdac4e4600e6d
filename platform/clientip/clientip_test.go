package clientip

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// privateRanges trusts loopback and the private ranges, as a deployment
// whose proxies all live there might.
var privateRanges = []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	r, err := NewResolver("", privateRanges)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"untrusted peer ignores header", "203.0.113.7:5555", []string{"198.51.100.1"}, "203.0.113.7"},
		{"trusted peer without header", "127.0.0.1:5555", nil, "127.0.0.1"},
		{"trusted peer, one entry", "127.0.0.1:5555", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left entries are skipped", "10.0.0.2:5555", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "10.0.0.2:5555", []string{"198.51.100.1, 10.0.0.9", "192.168.1.1"}, "198.51.100.1"},
		{"client inside private network is left-most", "10.0.0.2:5555", []string{"192.168.0.5, 10.0.0.9"}, "192.168.0.5"},
		{"malformed entry stops the walk", "127.0.0.1:5555", []string{"junk, 10.0.0.9"}, "10.0.0.9"},
		{"all malformed keeps peer", "127.0.0.1:5555", []string{"junk"}, "127.0.0.1"},
		{"ipv6 peer", "[2001:db8::1]:80", []string{"198.51.100.1"}, "2001:db8::1"},
		{"ipv4-mapped peer is trusted", "[::ffff:127.0.0.1]:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"entry with port", "127.0.0.1:1", []string{"198.51.100.1:4444"}, "198.51.100.1"},
		{"unparsable peer", "nope", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			req.RemoteAddr = c.peer
			for _, v := range c.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.ClientAddr(req); got != c.want {
				t.Fatalf("ClientAddr = %q, want %q", got, c.want)
			}
		})
	}
}

func TestCustomHeaderAndNoTrust(t *testing.T) {
	t.Parallel()
	r, err := NewResolver("x-real-ip", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:9"
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	req.Header.Set("X-Real-Ip", "198.51.100.2")
	if got := r.ClientAddr(req); got != "198.51.100.2" {
		t.Fatalf("custom header: %q", got)
	}
	none, err := NewResolver("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := none.ClientAddr(req); got != "127.0.0.1" {
		t.Fatalf("no trusted proxies: %q", got)
	}
	if _, err := NewResolver("", []string{"10.0.0.0/33"}); err == nil {
		t.Fatal("bad CIDR accepted")
	}
}

func TestMiddlewareAndBucket(t *testing.T) {
	t.Parallel()
	r, err := NewResolver("", privateRanges)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := r.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) { got = FromContext(req.Context()) }))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:9"
	req.Header.Set("X-Forwarded-For", "198.51.100.3")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "198.51.100.3" {
		t.Fatalf("context addr %q", got)
	}
	if FromContext(context.Background()) != "" {
		t.Fatal("empty context has an address")
	}
	for in, want := range map[string]string{
		"198.51.100.3":        "198.51.100.3",
		"2001:db8:1:2:3::4":   "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::": "2001:db8:1:2::/64",
		"":                    "",
	} {
		if got := Bucket(in); got != want {
			t.Errorf("Bucket(%q) = %q, want %q", in, got, want)
		}
	}
}

package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestCodeFetchErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"no errors untouched", `{"data":{"a":1}}`, `{"data":{"a":1}}`},
		{"unreachable",
			`{"errors":[{"message":"Failed to fetch from Subgraph 'orders'."}],"data":null}`,
			`{"errors":[{"message":"Failed to fetch from Subgraph 'orders'.","extensions":{"code":"SUBREQUEST_HTTP_ERROR","serviceName":"orders"}}],"data":null}`},
		{"at a path, extensions kept",
			`{"errors":[{"message":"Failed to fetch from Subgraph 'a-b' at Path 'query.me'.","extensions":{"statusCode":503}}],"data":{"me":null}}`,
			`{"errors":[{"message":"Failed to fetch from Subgraph 'a-b' at Path 'query.me'.","extensions":{"statusCode":503,"code":"SUBREQUEST_HTTP_ERROR","serviceName":"a-b"}}],"data":{"me":null}}`},
		{"malformed answer",
			`{"errors":[{"message":"Failed to fetch from Subgraph 'x' at Path 'q', Reason: invalid JSON."}],"data":null}`,
			`{"errors":[{"message":"Failed to fetch from Subgraph 'x' at Path 'q', Reason: invalid JSON.","extensions":{"code":"SUBREQUEST_MALFORMED_RESPONSE","serviceName":"x"}}],"data":null}`},
		{"status fallback",
			`{"errors":[{"message":"502: Bad Gateway"}],"data":{"a":null}}`,
			`{"errors":[{"message":"502: Bad Gateway","extensions":{"code":"SUBREQUEST_HTTP_ERROR"}}],"data":{"a":null}}`},
		{"subgraph's own code kept",
			`{"errors":[{"message":"Failed to fetch from Subgraph 'x'.","extensions":{"code":"UNAUTHORIZED"}},{"message":"boom","extensions":{"code":"DOWNSTREAM_SERVICE_ERROR"}}],"data":null}`,
			`{"errors":[{"message":"Failed to fetch from Subgraph 'x'.","extensions":{"code":"UNAUTHORIZED"}},{"message":"boom","extensions":{"code":"DOWNSTREAM_SERVICE_ERROR"}}],"data":null}`},
		{"other errors untouched", `{"errors":[{"message":"404 things"},{"message":"Cannot return null"}],"data":null}`,
			`{"errors":[{"message":"404 things"},{"message":"Cannot return null"}],"data":null}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			buf := bytes.NewBufferString(tc.in)
			codeFetchErrors(buf)
			if buf.String() != tc.want {
				t.Fatalf("got  %s\nwant %s", buf, tc.want)
			}
		})
	}
}

func TestClientAddressApply(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name, remote string
		incoming     []string
		want         []string
	}{
		{"untrusted peer replaces", "198.51.100.4:5000", []string{"203.0.113.9"}, []string{"198.51.100.4"}},
		{"untrusted peer, no header", "198.51.100.4:5000", nil, []string{"198.51.100.4"}},
		{"trusted peer appends", "10.1.2.3:5000", []string{"203.0.113.9"}, []string{"203.0.113.9, 10.1.2.3"}},
		{"trusted peer joins several lines", "10.1.2.3:5000", []string{"203.0.113.9", "192.0.2.1"}, []string{"203.0.113.9, 192.0.2.1, 10.1.2.3"}},
		{"IPv6 trusted peer", "[::1]:5000", []string{"2001:db8::1"}, []string{"2001:db8::1, ::1"}},
		{"IPv4-mapped peer", "[::ffff:198.51.100.4]:5000", []string{"203.0.113.9"}, []string{"198.51.100.4"}},
		{"unparsable peer drops the header", "@pipe", []string{"203.0.113.9"}, nil},
	}
	c := NewClientAddress(trusted)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.incoming {
				r.Header.Add("X-Forwarded-For", v)
			}
			c.Apply(r)
			got := r.Header.Values("X-Forwarded-For")
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name, remote string
		incoming     []string
		want         string
	}{
		{"untrusted peer, forged header ignored", "198.51.100.4:5000", []string{"203.0.113.9"}, "198.51.100.4"},
		{"untrusted peer", "198.51.100.4:6000", nil, "198.51.100.4"},
		{"trusted peer names the client", "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"chain of trusted proxies", "10.1.2.3:5000", []string{"192.0.2.66, 203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"several header lines", "10.1.2.3:5000", []string{"192.0.2.66", "203.0.113.9"}, "203.0.113.9"},
		{"trusted peer without header", "10.1.2.3:5000", nil, "10.1.2.3"},
		{"only trusted hops", "10.1.2.3:5000", []string{"10.0.0.7"}, "10.1.2.3"},
		{"IPv6 trusted peer", "[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:198.51.100.4]:5000", nil, "198.51.100.4"},
	}
	key := ClientKey(trusted)
	apply := NewClientAddress(trusted)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.incoming {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := key(r); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			// The same answer after the client-address middleware rewrote
			// the header.
			apply.Apply(r)
			if got := key(r); got != tc.want {
				t.Fatalf("after Apply: got %q, want %q", got, tc.want)
			}
		})
	}
}

package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

func TestDefaultLimitsRefuseHostileOperations(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, nil) // the production defaults, nothing configured
	deep := strings.Repeat("products { reviews { product { ", 334) + "name" + strings.Repeat(" } } }", 334)
	var aliases, roots, tokens strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&aliases, " a%d: products { id }", i)
	}
	for range 600 {
		roots.WriteString(" products { id }")
	}
	for range 16000 {
		tokens.WriteString(" id")
	}
	var aliases31 strings.Builder
	for i := range 31 {
		fmt.Fprintf(&aliases31, " a%d: products { id }", i)
	}
	cases := []struct{ name, query, code string }{
		{"1,000-deep selection", "{ " + deep + " }", "MAX_DEPTH_LIMIT"},
		{"10,000 aliases", "{" + aliases.String() + " }", "MAX_ALIASES_LIMIT"},
		{"31 aliases", "{" + aliases31.String() + " }", "MAX_ALIASES_LIMIT"},
		{"fragment fan-out of 25 levels", fanOut(25), "MAX_FIELDS_LIMIT"},
		{"fragment cycle", `{ products { ...A } } fragment A on Product { id ...B } fragment B on Product { name ...A }`, "GRAPHQL_VALIDATION_FAILED"},
		{"600 root fields", "{" + roots.String() + " }", "MAX_ROOT_FIELDS_LIMIT"},
		{"16,000 tokens", "{ products {" + tokens.String() + " } }", "MAX_TOKENS_LIMIT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sg := range sgs {
				sg.Reset()
			}
			status, res, _ := post(t, srv.URL, map[string]any{"query": tc.query}, map[string]string{"Accept": "application/graphql-response+json"})
			if status != http.StatusBadRequest || res.code() != tc.code || res.Data != nil {
				t.Fatalf("want 400 %s, got HTTP %d %+v", tc.code, status, res.Errors)
			}
			for name, sg := range sgs {
				if n := len(sg.Requests()); n > 0 {
					t.Fatalf("refused operation reached subgraph %s (%d requests)", name, n)
				}
			}
		})
	}
}

// fanOut is a document of about 1.5 KB at 25 levels whose fragments each
// spread the next one twice: depth 2, no alias and one root field, but
// 2^(levels+1) fields once normalization expands the fragments.
func fanOut(levels int) string {
	var b strings.Builder
	b.WriteString("{ products { ...F0 } }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Product { id ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Product { id }\n", levels)
	return b.String()
}

// TestDefaultLimitsAllowRealOperations runs operations just inside the
// default limits: they reach the subgraphs and answer.
func TestDefaultLimitsAllowRealOperations(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, nil)
	var aliases30 strings.Builder
	for i := range 30 {
		fmt.Fprintf(&aliases30, " a%d: products { id }", i)
	}
	for name, q := range map[string]string{
		"30 aliases":                    "{" + aliases30.String() + " }",
		"fragment fan-out of 9 levels":  fanOut(9), // 1,024 fields
		"fragment reused across fields": `{ products { ...P } latestReview { product { ...P } } } fragment P on Product { id name price }`,
	} {
		status, res, _ := post(t, srv.URL, map[string]any{"query": q}, nil)
		if status != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("%s: HTTP %d %+v", name, status, res.Errors)
		}
	}
}

func TestInvalidUTF8Refused(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, nil)
	cases := []struct {
		name, method, path string
		body               []byte
	}{
		{"query text", http.MethodPost, "/graphql", []byte("{\"query\": \"{ product(id: \\\"\xff\xfe\\\") { id } }\"}")},
		{"variables", http.MethodPost, "/graphql", []byte("{\"query\": \"query($id: ID!) { product(id: $id) { id } }\", \"variables\": {\"id\": \"\xc3\x28\"}}")},
		{"operation name", http.MethodPost, "/graphql", []byte("{\"query\": \"query A { products { id } }\", \"operationName\": \"A\xff\"}")},
		{"GET query", http.MethodGet, "/graphql?query=" + url.QueryEscape("{ product(id: \"\xff\") { id } }"), nil},
		{"GET variables", http.MethodGet, "/graphql?query=" + url.QueryEscape("query($id: ID!) { product(id: $id) { id } }") + "&variables=" + url.QueryEscape("{\"id\":\"\xe2\x82\"}"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sg := range sgs {
				sg.Reset()
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			status, res, _ := do(t, req)
			if status != http.StatusBadRequest || res.code() != "BAD_REQUEST" || !strings.Contains(res.Errors[0].Message, "UTF-8") {
				t.Fatalf("want 400 BAD_REQUEST about UTF-8, got HTTP %d %+v", status, res)
			}
			for name, sg := range sgs {
				if n := len(sg.Requests()); n > 0 {
					t.Fatalf("invalid request reached subgraph %s (%d requests)", name, n)
				}
			}
		})
	}
	// Valid multi-byte text still passes.
	status, res, _ := post(t, srv.URL, map[string]any{"query": "{ products { id } } # ünïcödé ✓ 日本"}, nil)
	if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
		t.Fatalf("valid UTF-8: HTTP %d %+v", status, res)
	}
}

func TestClientAddressForwardedToSubgraphs(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	cases := []struct {
		name     string
		set      func(*app.Config)
		incoming string // X-Forwarded-For the client sends
		want     string // X-Forwarded-For every subgraph must see
		only     string // when set, the one subgraph that sees it; the others see none
	}{
		{name: "peer replaces a client's claim", incoming: "203.0.113.9", want: "127.0.0.1"},
		{name: "peer without a claim", want: "127.0.0.1"},
		{name: "trusted proxy's chain is extended", incoming: "203.0.113.9, 10.0.0.2",
			set: func(c *app.Config) { c.ClientAddress.TrustedProxies = []string{"127.0.0.0/8"} }, want: "203.0.113.9, 10.0.0.2, 127.0.0.1"},
		{name: "trusted proxy without a chain", set: func(c *app.Config) { c.ClientAddress.TrustedProxies = []string{"127.0.0.1"} }, want: "127.0.0.1"},
		{name: "untrusted when the peer is outside the list", incoming: "203.0.113.9",
			set: func(c *app.Config) { c.ClientAddress.TrustedProxies = []string{"10.0.0.0/8"} }, want: "127.0.0.1"},
		{name: "forwarded even when no header is propagated", incoming: "203.0.113.9",
			set: func(c *app.Config) { none := []string{}; c.Headers.Propagate = &none }, want: "127.0.0.1"},
		{name: "switched off: nothing, not even the client's claim", incoming: "203.0.113.9",
			set: func(c *app.Config) { off := false; c.ClientAddress.Forward = &off }, want: ""},
		{name: "only to the configured subgraphs", incoming: "203.0.113.9",
			set: func(c *app.Config) { c.ClientAddress.ForwardTo = []string{"inventory"} }, want: "127.0.0.1", only: "inventory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The subgraphs are shared: run one case at a time.
			srv := startRouter(t, sdl, func(c *app.Config) {
				c.Deduplication = new(bool) // every request reaches the subgraphs
				if tc.set != nil {
					tc.set(c)
				}
			})
			for _, sg := range sgs {
				sg.Reset()
			}
			headers := map[string]string{}
			if tc.incoming != "" {
				headers["X-Forwarded-For"] = tc.incoming
			}
			status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, headers)
			if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
				t.Fatalf("HTTP %d %+v", status, res)
			}
			called := 0
			for name, sg := range sgs {
				reqs := sg.Requests()
				if len(reqs) > 0 {
					called++
				}
				want := tc.want
				if tc.only != "" && name != tc.only {
					want = ""
				}
				for _, r := range reqs {
					if got := strings.Join(r.Header.Values("X-Forwarded-For"), ", "); got != want {
						t.Fatalf("subgraph %s saw X-Forwarded-For %q, want %q", name, got, want)
					}
				}
			}
			if called < 2 {
				t.Fatalf("the query reached %d subgraphs, want products and inventory", called)
			}
		})
	}
}

func TestFailedFetchesCarryACode(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/graphql"
	ln.Close() // nothing listens there any more
	cases := []struct {
		name    string
		answer  http.HandlerFunc // nil: the inventory subgraph is unreachable
		code    string
		message string
	}{
		{name: "unreachable", code: "SUBREQUEST_HTTP_ERROR", message: "Failed to fetch from Subgraph 'inventory'"},
		{name: "502 without GraphQL", answer: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}, code: "SUBREQUEST_HTTP_ERROR", message: "502"},
		{name: "not JSON", answer: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("hello"))
		}, code: "SUBREQUEST_MALFORMED_RESPONSE", message: "Failed to fetch from Subgraph 'inventory'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sdl, _ := startGraph(t, func(name string, h http.Handler) http.Handler {
				if name == "inventory" && tc.answer != nil {
					return tc.answer
				}
				return h
			})
			var opts []app.Option
			if tc.answer == nil {
				opts = append(opts, app.WithSubgraphURLs(map[string]string{"inventory": closedURL}))
			}
			srv := startRouter(t, sdl, nil, opts...)
			// quantity (inventory) is nullable: the products stay.
			status, res, _ := post(t, srv.URL, map[string]any{"query": `{ products { id name quantity } }`}, nil)
			if status != http.StatusOK || productCount(t, res) != 3 || len(res.Errors) == 0 {
				t.Fatalf("want partial data and an error, got HTTP %d %+v", status, res)
			}
			e := res.Errors[0]
			if !strings.Contains(e.Message, tc.message) || e.Extensions["code"] != tc.code {
				t.Fatalf("want %q with code %s, got %+v", tc.message, tc.code, res.Errors)
			}
			if strings.HasPrefix(e.Message, "Failed") && e.Extensions["serviceName"] != "inventory" {
				t.Fatalf("serviceName missing: %+v", e)
			}
		})
	}
}

// TestSlowBodyCutOff: a client that sends its body a byte at a time is
// answered 408 at timeouts.read_body and its connection closed, instead
// of holding the connection as long as it keeps trickling.
func TestSlowBodyCutOff(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) { c.Timeouts.ReadBody = 500 * time.Millisecond })
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() //nolint:errcheck // test connection
	body := `{"query":"{ products { id } }"}`
	if _, err := fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body)); err != nil {
		t.Fatal(err)
	}
	// Trickle a byte every 200 ms for up to 10 s in the background; the
	// router must answer long before the body is complete.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < len(body)-1; i++ {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a slow body within 10 s: %v", err)
	}
	defer res.Body.Close() //nolint:errcheck // test response
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "REQUEST_TIMEOUT") {
		t.Fatalf("slow body: %d %s", res.StatusCode, b)
	}
}

// TestSlowHeadersCutOff: a client that sends its request headers a byte at
// a time has its connection closed at timeouts.read_header, instead of
// holding it as long as it keeps trickling.
func TestSlowHeadersCutOff(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	cfg := app.DefaultConfig()
	cfg.Timeouts.ReadHeader = 500 * time.Millisecond
	cfg.Timeouts.DrainDelay = 0
	r, err := app.New(cfg, app.WithSupergraphSDL(sdl), app.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() //nolint:errcheck // test connection
	head := "POST /graphql HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\nX-Padding: " + strings.Repeat("x", 200) + "\r\n\r\n"
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < len(head); i++ {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{head[i]}); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(conn) // until the router closes the connection
	if time.Since(start) >= 10*time.Second {
		t.Fatalf("connection still open after 10 s of trickled headers (read %q, %v)", b, err)
	}
	if strings.Contains(string(b), "200 OK") {
		t.Fatalf("a request with trickled headers was served: %q", b)
	}
}

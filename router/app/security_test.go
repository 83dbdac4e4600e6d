package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

func TestLimitsRefuseBeforePlanning(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) {
		c.Limits.MaxDepth = 3
		c.Limits.MaxAliases = 1
		c.Limits.MaxRootFields = 2
		c.Limits.MaxTokens = 20
		f := false
		c.Introspection = &f
	})
	cases := []struct {
		name, query, code string
	}{
		{"allowed", productsQuery, ""},
		{"depth", `{ products { reviews { product { name } } } }`, "MAX_DEPTH_LIMIT"},
		{"aliases", `{ a: products { id } b: products { id } }`, "MAX_ALIASES_LIMIT"},
		{"root fields", `{ products { id } latestReview { id } product(id: "p1") { id } }`, "MAX_ROOT_FIELDS_LIMIT"},
		{"tokens", `{ products { id name price inStock quantity id name price inStock quantity id name price inStock quantity id name } }`, "MAX_TOKENS_LIMIT"},
		{"introspection", `{ __schema { queryType { name } } }`, "INTROSPECTION_DISABLED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sg := range sgs {
				sg.Reset()
			}
			status, res, _ := post(t, srv.URL, map[string]any{"query": tc.query}, map[string]string{"Accept": "application/graphql-response+json"})
			if tc.code == "" {
				if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
					t.Fatalf("HTTP %d %+v", status, res)
				}
				return
			}
			if status != http.StatusBadRequest || res.code() != tc.code || res.Data != nil {
				t.Fatalf("want 400 %s, got HTTP %d %+v", tc.code, status, res)
			}
			for name, sg := range sgs {
				if n := len(sg.Requests()); n > 0 {
					t.Fatalf("refused operation reached subgraph %s (%d requests)", name, n)
				}
			}
		})
	}
}

func TestRequestBodyLimit(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) { c.Limits.MaxRequestBytes = 100 })
	status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery + strings.Repeat(" ", 100)}, nil)
	if status != http.StatusBadRequest || res.code() != "BAD_REQUEST" {
		t.Fatalf("HTTP %d %+v", status, res)
	}
}

func TestCSRFThroughRouter(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	on := startRouter(t, sdl, nil) // CSRF prevention is on by default
	off := startRouter(t, sdl, func(c *app.Config) {
		disabled := false
		c.CSRF.Enabled = &disabled
	})
	getURL := "/graphql?query=" + url.QueryEscape(productsQuery)
	cases := []struct {
		name, method, path, body string
		headers                  map[string]string
		csrfOff                  bool
		refused                  bool
	}{
		{name: "simple GET refused", method: http.MethodGet, path: getURL, refused: true},
		{name: "GET with apollo-require-preflight", method: http.MethodGet, path: getURL, headers: map[string]string{"Apollo-Require-Preflight": "true"}},
		{name: "GET with x-apollo-operation-name", method: http.MethodGet, path: getURL, headers: map[string]string{"X-Apollo-Operation-Name": "Products"}},
		{name: "GET with a JSON content type", method: http.MethodGet, path: getURL, headers: map[string]string{"Content-Type": "application/json"}},
		{name: "GET with text/plain refused", method: http.MethodGet, path: getURL, headers: map[string]string{"Content-Type": "text/plain"}, refused: true},
		{name: "POST without content type refused", method: http.MethodPost, path: "/graphql", body: `{"query":"{ products { id } }"}`, refused: true},
		{name: "POST text/plain refused", method: http.MethodPost, path: "/graphql", body: `{"query":"{ products { id } }"}`, headers: map[string]string{"Content-Type": "text/plain"}, refused: true},
		{name: "JSON POST", method: http.MethodPost, path: "/graphql", body: `{"query":"{ products { id } }"}`, headers: map[string]string{"Content-Type": "application/json"}},
		{name: "simple GET with CSRF off", method: http.MethodGet, path: getURL, csrfOff: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := on
			if tc.csrfOff {
				srv = off
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			status, res, _ := do(t, req)
			if tc.refused {
				if status != http.StatusBadRequest || res.code() != "CSRF_ERROR" || res.Data != nil {
					t.Fatalf("want 400 CSRF_ERROR, got HTTP %d %+v", status, res)
				}
				return
			}
			if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
				t.Fatalf("want the products, got HTTP %d %+v", status, res)
			}
		})
	}
	health, err := client.Get(on.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	health.Body.Close()
	if health.StatusCode != http.StatusOK {
		t.Fatalf("CSRF must not guard /health: %d", health.StatusCode)
	}
}

func TestCORSThroughRouter(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) {
		c.CORS.AllowOrigins = []string{"https://shop.example"}
	})
	req, err := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "https://shop.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, authorization")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}
	_, _, h := post(t, srv.URL, map[string]any{"query": productsQuery}, map[string]string{"Origin": "https://evil.example"})
	if h.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("unlisted origin allowed: %v", h)
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	slow := func(name string, h http.Handler) http.Handler {
		if name != "inventory" {
			return h
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	sdl, _ := startGraph(t, slow)
	t.Run("request", func(t *testing.T) {
		t.Parallel()
		srv := startRouter(t, sdl, func(c *app.Config) { c.Timeouts.Request = 200 * time.Millisecond })
		status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, nil)
		if status != http.StatusGatewayTimeout || res.code() != "GATEWAY_TIMEOUT" {
			t.Fatalf("want 504 GATEWAY_TIMEOUT, got HTTP %d %+v", status, res)
		}
		// A query that avoids the slow subgraph is unaffected.
		status, res, _ = post(t, srv.URL, map[string]any{"query": `{ products { id name } }`}, nil)
		if status != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("fast query: HTTP %d %+v", status, res)
		}
	})
	t.Run("subgraph", func(t *testing.T) {
		t.Parallel()
		srv := startRouter(t, sdl, func(c *app.Config) {
			c.Subgraphs["inventory"] = app.SubgraphConfig{Timeout: 200 * time.Millisecond}
		})
		start := time.Now()
		status, res, _ := post(t, srv.URL, map[string]any{"query": `{ products { id name quantity } }`}, nil)
		if status != http.StatusOK || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "inventory") || productCount(t, res) != 3 {
			t.Fatalf("want partial data with a fetch error, got HTTP %d %+v", status, res)
		}
		if time.Since(start) >= 3*time.Second {
			t.Fatal("the subgraph timeout did not cut the slow fetch")
		}
	})
}

// TestSubgraphRequestCancelled checks that the router stops a subgraph
// request when nobody waits for its answer any more: the client went away,
// or the request timeout fired (then the client gets 504 GATEWAY_TIMEOUT).
func TestSubgraphRequestCancelled(t *testing.T) {
	t.Parallel()
	type call struct{ cancelled chan struct{} }
	calls := make(chan call, 8)
	testDone := make(chan struct{})
	slow := func(name string, h http.Handler) http.Handler {
		if name != "inventory" {
			return h
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Like any subgraph, read the request first: net/http notices
			// a closed connection only once the body is consumed.
			_, _ = io.Copy(io.Discard, r.Body)
			c := call{cancelled: make(chan struct{})}
			calls <- c
			select {
			case <-r.Context().Done(): // answers only when the router gives up
				close(c.cancelled)
			case <-testDone:
			}
		})
	}
	sdl, _ := startGraph(t, slow)
	// Registered after the subgraph servers, so it runs before they close
	// and releases a handler a failing test left waiting.
	t.Cleanup(func() { close(testDone) })
	// waitCancelled waits for the slow subgraph's request and for the
	// router to cancel it; the bounds are generous, nothing here is timed.
	waitCancelled := func(t *testing.T) {
		t.Helper()
		select {
		case c := <-calls:
			select {
			case <-c.cancelled:
			case <-time.After(10 * time.Second):
				t.Fatal("the subgraph request was not cancelled")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the subgraph was not called")
		}
	}
	t.Run("client gone", func(t *testing.T) {
		srv := startRouter(t, sdl, nil)
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"`+productsQuery+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		done := make(chan struct{})
		go func() {
			defer close(done)
			if res, err := client.Do(req); err == nil {
				res.Body.Close()
			}
		}()
		select {
		case c := <-calls:
			calls <- c
		case <-time.After(10 * time.Second):
			t.Fatal("the subgraph was not called")
		}
		cancel()
		<-done
		waitCancelled(t)
	})
	t.Run("timeout", func(t *testing.T) {
		srv := startRouter(t, sdl, func(c *app.Config) { c.Timeouts.Request = 200 * time.Millisecond })
		status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, nil)
		if status != http.StatusGatewayTimeout || res.code() != "GATEWAY_TIMEOUT" {
			t.Fatalf("want 504 GATEWAY_TIMEOUT, got HTTP %d %+v", status, res)
		}
		waitCancelled(t)
	})
}

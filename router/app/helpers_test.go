package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// productsQuery selects fields of two subgraphs (products and inventory).
const productsQuery = `query Products { products { id name inStock quantity } }`

func simpleEntityCase(t *testing.T) fedtest.Case {
	t.Helper()
	for _, c := range fedtest.Cases() {
		if c.Name == "simple-entity" {
			return c
		}
	}
	t.Fatal("fedtest case simple-entity not found")
	return fedtest.Case{}
}

// startGraph serves the simple-entity subgraphs and returns the supergraph
// pointing at them. wrap, when set, wraps each subgraph's handler by name.
func startGraph(t *testing.T, wrap func(name string, h http.Handler) http.Handler) (string, map[string]*fedtest.Subgraph) {
	t.Helper()
	c := simpleEntityCase(t)
	sgs, err := fedtest.NewSubgraphs(c)
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for name, sg := range sgs {
		var h http.Handler = sg
		if wrap != nil {
			h = wrap(name, h)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[name] = srv.URL + "/graphql"
	}
	sdl, err := fedtest.SupergraphWithURLs(c, urls)
	if err != nil {
		t.Fatal(err)
	}
	return sdl, sgs
}

// startRouter serves a router for sdl with cfg adjusted by set.
func startRouter(t *testing.T, sdl string, set func(*app.Config), opts ...app.Option) *httptest.Server {
	t.Helper()
	cfg := app.DefaultConfig()
	if set != nil {
		set(&cfg)
	}
	opts = append([]app.Option{app.WithSupergraphSDL(sdl)}, opts...)
	r, err := app.New(cfg, opts...)
	if err != nil {
		t.Fatalf("new router: %v", err)
	}
	t.Cleanup(r.Close)
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// response is a decoded GraphQL response.
type response struct {
	Data       map[string]any `json:"data"`
	Errors     []gqlError     `json:"errors"`
	Extensions map[string]any `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

var client = &http.Client{Timeout: 30 * time.Second}

// do sends a request and decodes the GraphQL response.
func do(t *testing.T, req *http.Request) (int, response, http.Header) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out response
	if len(body) > 0 && json.Unmarshal(body, &out) != nil {
		t.Fatalf("%s %s: HTTP %d, body is not JSON: %s", req.Method, req.URL, res.StatusCode, body)
	}
	return res.StatusCode, out, res.Header
}

// post sends a JSON GraphQL request.
func post(t *testing.T, url string, body map[string]any, headers map[string]string) (int, response, http.Header) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func productCount(t *testing.T, r response) int {
	t.Helper()
	list, ok := r.Data["products"].([]any)
	if !ok {
		t.Fatalf("no products in %+v", r)
	}
	return len(list)
}

package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// FuzzRouterRequest feeds arbitrary methods, content types and bodies to
// the router's HTTP handler in front of real federation subgraphs. Whatever
// arrives, the handler must not panic, must not answer 500 (a client's
// mistake is a 4xx or a GraphQL error) and must answer valid JSON whenever
// it says it answers JSON.
func FuzzRouterRequest(f *testing.F) {
	seeds := []struct {
		post        bool
		contentType string
		body        string
	}{
		{true, "application/json", `{"query":"query Products { products { id name inStock quantity } }"}`},
		{true, "application/json", `{"query":"{ products { id } }","variables":{"a":[1,2,{"b":null}]},"operationName":null}`},
		{true, "application/json", `{"query":"query A { products { id } } query B { products { name } }","operationName":"B"}`},
		{true, "application/json", `{"query":"mutation { x }"}`},
		{true, "application/graphql-response+json", `{"query":"{ __typename }"}`},
		{true, "text/plain", `{"query":"{ products { id } }"}`},
		{true, "application/json", `{"query":"{ products { id `},
		{true, "application/json", `[{"query":"{ products { id } }"}]`},
		{true, "application/json", `{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{"id":[[[[1]]]]}}`},
		{true, "application/json", "{\"query\":\"{ products { name } }\",\"variables\":{\"s\":\"\xff\xfe\"}}"},
		{true, "application/json", `{"query":"{ a: products { id } b: products { id } c: __typename }"}`},
		{true, "application/json", `{"query":"{ products { id ... on Product { name } ...F } } fragment F on Product { quantity }"}`},
		{true, "application/json", `{"query":"{ products @skip(if: true) { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`},
		{false, "", "query=%7B+products+%7B+id+%7D+%7D"},
		{false, "", "query=mutation+%7B+x+%7D"},
	}
	for _, s := range seeds {
		f.Add(s.post, s.contentType, []byte(s.body))
	}
	h := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, post bool, contentType string, body []byte) {
		var req *http.Request
		if post {
			req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", contentType)
		} else {
			req = httptest.NewRequest(http.MethodGet, "/graphql", nil)
			req.URL.RawQuery = string(body)
		}
		req.Header.Set("Accept", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusBadGateway && rec.Code != http.StatusGatewayTimeout {
			t.Fatalf("status %d for %q %q: %s", rec.Code, contentType, body, rec.Body.Bytes())
		}
		if strings.Contains(rec.Header().Get("Content-Type"), "json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON answer for %q: %q", body, rec.Body.Bytes())
		}
	})
}

// fuzzRouter serves the simple-entity federation case (two real subgraphs
// over HTTP) behind a router with default limits.
func fuzzRouter(f *testing.F) http.Handler {
	f.Helper()
	var c fedtest.Case
	for _, k := range fedtest.Cases() {
		if k.Name == "simple-entity" {
			c = k
		}
	}
	if c.Name == "" {
		f.Fatal("fedtest case simple-entity not found")
	}
	sgs, err := fedtest.NewSubgraphs(c)
	if err != nil {
		f.Fatal(err)
	}
	urls := map[string]string{}
	for name, sg := range sgs {
		srv := httptest.NewServer(sg)
		f.Cleanup(srv.Close)
		urls[name] = srv.URL + "/graphql"
	}
	sdl, err := fedtest.SupergraphWithURLs(c, urls)
	if err != nil {
		f.Fatal(err)
	}
	r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(sdl))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(r.Close)
	return r.Handler()
}

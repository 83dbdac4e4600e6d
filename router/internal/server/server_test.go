package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
	"github.com/shopsupergraph/shop/router/internal/server"
)

func startServer(t *testing.T) (*httptest.Server, *server.Handler) {
	t.Helper()
	sgs := enginetest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	eng, err := engine.New(ctx, engine.Options{SupergraphSDL: enginetest.Supergraph, SubgraphURLs: sgs.URLs})
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(eng, server.Options{MaxRequestBytes: 4096})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h
}

func TestGraphQLOverHTTP(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	const gqlResp = "application/graphql-response+json"
	tests := []struct {
		name, method, body, query, accept, contentType string
		wantStatus                                     int
		wantType                                       string
		wantBody                                       string // exact, or a substring when prefixed with "~"
	}{
		{name: "post query", method: "POST", body: `{"query":"{ products { id price } }"}`,
			wantStatus: 200, wantType: "application/json", wantBody: `{"data":{"products":[{"id":"1","price":40},{"id":"2","price":90}]}}`},
		{name: "post with variables and operation name", method: "POST",
			body:       `{"query":"query A($id: ID!) { product(id: $id) { name } } query B { whoami }","operationName":"A","variables":{"id":"1"}}`,
			wantStatus: 200, wantBody: `{"data":{"product":{"name":"chair"}}}`},
		{name: "get query", method: "GET", query: "query=" + url.QueryEscape(`{ product(id: "2") { name } }`),
			wantStatus: 200, wantBody: `{"data":{"product":{"name":"table"}}}`},
		{name: "get mutation refused", method: "GET", query: "query=" + url.QueryEscape(`mutation { rename(id: "1", name: "x") { id } }`),
			wantStatus: 405, wantBody: "~only queries"},
		{name: "unparsable JSON", method: "POST", body: `{"query":`, wantStatus: 400, wantBody: "~not a valid JSON"},
		{name: "no query", method: "POST", body: `{}`, wantStatus: 400, wantBody: "~no query"},
		{name: "variables not an object", method: "POST", body: `{"query":"{ whoami }","variables":[1]}`, wantStatus: 400},
		{name: "wrong content type", method: "POST", body: `query=1`, contentType: "application/x-www-form-urlencoded", wantStatus: 400},
		{name: "body too large", method: "POST", body: `{"query":"{ whoami }","x":"` + strings.Repeat("a", 5000) + `"}`, wantStatus: 400},
		{name: "document syntax error", method: "POST", body: `{"query":"{ products { id "}`, wantStatus: 400, wantBody: "~GRAPHQL_PARSE_FAILED"},
		{name: "validation error, legacy json", method: "POST", body: `{"query":"{ products { cost } }"}`,
			wantStatus: 200, wantType: "application/json", wantBody: "~GRAPHQL_VALIDATION_FAILED"},
		{name: "validation error, graphql-response+json", method: "POST", body: `{"query":"{ nope }"}`, accept: gqlResp,
			wantStatus: 400, wantType: gqlResp, wantBody: "~GRAPHQL_VALIDATION_FAILED"},
		{name: "success, graphql-response+json", method: "POST", body: `{"query":"{ whoami }"}`, accept: gqlResp + ", application/json",
			wantStatus: 200, wantType: gqlResp, wantBody: `{"data":{"whoami":""}}`},
		{name: "other method", method: "PUT", body: `{}`, wantStatus: 405},
		{name: "invalid UTF-8 in the query", method: "POST", body: "{\"query\":\"{ product(id: \\\"\xff\\\") { name } }\"}", wantStatus: 400, wantBody: "~not valid UTF-8"},
		{name: "invalid UTF-8 in variables", method: "POST", body: "{\"query\":\"query($id: ID!) { product(id: $id) { name } }\",\"variables\":{\"id\":\"\xc3\x28\"}}", wantStatus: 400, wantBody: "~not valid UTF-8"},
		{name: "invalid UTF-8 over GET", method: "GET", query: "query=%7B+product(id:+%22%FF%22)+%7B+name+%7D+%7D", wantStatus: 400, wantBody: "~not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := srv.URL + "/graphql"
			if tc.query != "" {
				u += "?" + tc.query
			}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			ct := tc.contentType
			if ct == "" && tc.method == "POST" {
				ct = "application/json"
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, got)
			}
			if tc.wantType != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.wantType) {
				t.Fatalf("content type %q, want %q", resp.Header.Get("Content-Type"), tc.wantType)
			}
			var v map[string]any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Fatalf("body is not JSON: %s", got)
			}
			if resp.StatusCode != 200 {
				if errs, _ := v["errors"].([]any); len(errs) == 0 {
					t.Fatalf("error response without errors: %s", got)
				}
			}
			switch {
			case tc.wantBody == "":
			case strings.HasPrefix(tc.wantBody, "~"):
				if !strings.Contains(string(got), tc.wantBody[1:]) {
					t.Fatalf("body %s lacks %q", got, tc.wantBody[1:])
				}
			case string(got) != tc.wantBody:
				t.Fatalf("body %s, want %s", got, tc.wantBody)
			}
		})
	}
}

func TestProbes(t *testing.T) {
	t.Parallel()
	srv, h := startServer(t)
	get := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/health"); s != 200 {
		t.Fatalf("/health: %d", s)
	}
	if s := get("/ready"); s != 200 {
		t.Fatalf("/ready: %d", s)
	}
	h.SetReady(false)
	if s := get("/ready"); s != 503 {
		t.Fatalf("/ready while draining: %d", s)
	}
	if s := get("/health"); s != 200 {
		t.Fatalf("/health while draining: %d", s)
	}
}

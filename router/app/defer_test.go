package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

var updateDefer = flag.Bool("update-defer", false, "rewrite the @defer goldens under testdata/defer")

const acceptDefer = "multipart/mixed;deferSpec=20220824, application/json"

// deferSubgraphs serves the simple-entity subgraphs with data of their own:
// inventory fails Product.quantity of p2, so that a deferred fragment can
// carry errors. wrap, when set, wraps each subgraph's handler by name.
func deferSubgraphs(t *testing.T, wrap func(name string, h http.Handler) http.Handler) string {
	t.Helper()
	c := simpleEntityCase(t)
	products := fedtest.Table{
		{"id": "p1", "name": "Lamp", "price": 25},
		{"id": "p2", "name": "Desk", "price": 120},
		{"id": "p3", "name": "Chair", "price": 80},
	}
	stock := map[string]map[string]any{
		"p1": {"id": "p1", "inStock": true, "quantity": 7},
		"p2": {"id": "p2", "inStock": false, "quantity": fedtest.FieldFunc(func(map[string]any) (any, error) {
			return nil, errors.New("stock count unavailable")
		})},
		"p3": {"id": "p3", "inStock": true, "quantity": nil},
	}
	reviews := fedtest.Table{
		{"id": "p1", "reviews": []any{fedtest.Obj{"id": "r1", "body": "Bright", "rating": 5, "product": fedtest.Obj{"id": "p1"}}}},
		{"id": "p2", "reviews": []any{}},
		{"id": "p3", "reviews": []any{fedtest.Obj{"id": "r3", "body": "Comfy", "rating": 4, "product": fedtest.Obj{"id": "p3"}}}},
	}
	resolvers := map[string]fedtest.Resolvers{
		"products": {
			Root: map[string]map[string]any{"Query": {
				"products": products.All(),
				"product": fedtest.FieldFunc(func(args map[string]any) (any, error) {
					return products.Find("id", args["id"]), nil
				}),
			}},
			Entities: map[string]fedtest.EntityFunc{"Product": products.Lookup("id")},
		},
		"inventory": {Entities: map[string]fedtest.EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
			id, _ := rep["id"].(string)
			return stock[id], nil
		}}},
		"reviews": {Entities: map[string]fedtest.EntityFunc{"Product": reviews.Lookup("id")}},
	}
	urls := map[string]string{}
	for _, name := range c.Subgraphs {
		sdl, err := c.SubgraphSDL(name)
		if err != nil {
			t.Fatal(err)
		}
		sg, err := fedtest.NewSubgraph(name, sdl, resolvers[name])
		if err != nil {
			t.Fatal(err)
		}
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
	return sdl
}

// postDefer sends a query with the given Accept header and returns the
// response's Content-Type and body.
func postDefer(t *testing.T, url, accept, query string, vars map[string]any) (string, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", res.StatusCode, out)
	}
	return res.Header.Get("Content-Type"), out
}

// deferCases are the @defer situations with their goldens: the exact
// bytes of the response (Content-Type on the first line).
var deferCases = []struct {
	name, query string
	vars        map[string]any
	accept      string
}{
	{name: "simple", query: `{ product(id: "p1") { id name ... @defer { price } } }`},
	{name: "label-other-subgraph", query: `{ product(id: "p1") { name ... @defer(label: "stock") { inStock quantity } } }`},
	{name: "nested", query: `{ product(id: "p1") { name ... @defer(label: "outer") { inStock ... @defer(label: "inner") { reviews { body } } } } }`},
	{name: "nested-in-list", query: `{ products { name ... @defer(label: "outer") { reviews { body ... @defer(label: "inner") { product { inStock } } } } } }`},
	{name: "list", query: `{ products { id name ... @defer(label: "stock") { quantity } } }`},
	{name: "fragment-spread", query: `query { product(id: "p1") { name ...Stock @defer(label: "f") } } fragment Stock on Product { inStock }`},
	{name: "if-false-literal", query: `{ product(id: "p1") { name ... @defer(if: false) { inStock } } }`},
	{name: "if-false-variable", query: `query ($d: Boolean!) { product(id: "p1") { name ... @defer(if: $d, label: "stock") { inStock } } }`, vars: map[string]any{"d": false}},
	{name: "if-true-variable", query: `query ($d: Boolean!) { product(id: "p1") { name ... @defer(if: $d, label: "stock") { inStock } } }`, vars: map[string]any{"d": true}},
	{name: "errors", query: `{ product(id: "p2") { name ... @defer(label: "stock") { quantity inStock } } }`},
	{name: "errors-in-list", query: `{ products { id ... @defer { inStock quantity } } }`},
	{name: "no-multipart-accept", query: `{ product(id: "p1") { name ... @defer(label: "stock") { inStock quantity } } }`, accept: "application/json"},
}

// TestDeferGoldens runs every @defer situation through the router, with
// same-wave entity fetches merged and not, and compares the whole response
// (Content-Type and body, byte for byte) with its golden.
func TestDeferGoldens(t *testing.T) {
	t.Parallel()
	sdl := deferSubgraphs(t, nil)
	for _, multi := range []bool{true, false} {
		srv := startRouter(t, sdl, func(c *app.Config) { c.MultiFetch = multi })
		for _, tc := range deferCases {
			accept := tc.accept
			if accept == "" {
				accept = acceptDefer
			}
			ct, body := postDefer(t, srv.URL, accept, tc.query, tc.vars)
			got := "Content-Type: " + ct + "\n" + string(body)
			path := filepath.Join("testdata", "defer", tc.name+".txt")
			if *updateDefer && multi {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s (multi-fetch %v):\ngot:\n%q\nwant:\n%q", tc.name, multi, got, want)
			}
			if strings.HasPrefix(ct, "multipart/") {
				checkParts(t, tc.name, ct, body)
			}
		}
	}
}

// checkParts reads a multipart response with the standard library's MIME
// multipart reader: every part is JSON with a hasNext, only the last one
// has hasNext false.
func checkParts(t *testing.T, name, contentType string, body []byte) []map[string]any {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/mixed" || params["boundary"] != "graphql" || params["deferspec"] != "20220824" {
		t.Fatalf("%s: content type %q (%v)", name, contentType, err)
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []map[string]any
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: part %d: %v", name, len(parts), err)
		}
		if ct := p.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: part %d content type %q", name, len(parts), ct)
		}
		var v map[string]any
		if err := json.NewDecoder(p).Decode(&v); err != nil {
			t.Fatalf("%s: part %d is not JSON: %v", name, len(parts), err)
		}
		parts = append(parts, v)
	}
	if len(parts) == 0 {
		t.Fatalf("%s: no parts", name)
	}
	for i, p := range parts {
		hasNext, ok := p["hasNext"].(bool)
		if !ok || hasNext != (i < len(parts)-1) {
			t.Errorf("%s: part %d hasNext %v of %d parts", name, i, p["hasNext"], len(parts))
		}
	}
	return parts
}

// TestDeferLimits rejects a deferred operation over the operation limits
// before anything is streamed: the usual JSON error.
func TestDeferLimits(t *testing.T) {
	t.Parallel()
	srv := startRouter(t, deferSubgraphs(t, nil), func(c *app.Config) { c.Limits.MaxAliases = 1 })
	ct, body := postDefer(t, srv.URL, acceptDefer, `{ a: product(id: "p1") { name } b: product(id: "p2") { ... @defer { inStock } } }`, nil)
	if !strings.HasPrefix(ct, "application/json") || !strings.Contains(string(body), `"MAX_ALIASES_LIMIT"`) {
		t.Fatalf("%s: %s", ct, body)
	}
}

// TestDeferQueryPlanHeader asks for the query plan of a deferred query:
// the query-plan middleware buffers the response, and the client still
// gets the whole multipart stream (without the plan).
func TestDeferQueryPlanHeader(t *testing.T) {
	t.Parallel()
	srv := startRouter(t, deferSubgraphs(t, nil), func(c *app.Config) { c.QueryPlan.Enabled = true })
	body, _ := json.Marshal(map[string]any{"query": `{ product(id: "p1") { name ... @defer(label: "stock") { inStock } } }`})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", acceptDefer)
	req.Header.Set("X-Query-Plan", "true")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "defer", "if-true-variable.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := "Content-Type: " + res.Header.Get("Content-Type") + "\n" + string(out); got != string(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestDeferMutation refuses @defer in a mutation with a clear error before
// anything runs (the engine defers queries only).
func TestDeferMutation(t *testing.T) {
	t.Parallel()
	c, ok := fedtest.CaseByName("mutations")
	if !ok {
		t.Fatal("fedtest case mutations not found")
	}
	urls, sgs := fedtest.Start(t, c)
	sdl, err := fedtest.SupergraphWithURLs(c, urls)
	if err != nil {
		t.Fatal(err)
	}
	srv := startRouter(t, sdl, nil)
	ct, body := postDefer(t, srv.URL, acceptDefer, `mutation { addItem(name: "m2") { id ... @defer { name price } } }`, nil)
	if !strings.HasPrefix(ct, "application/json") || string(body) != `{"errors":[{"message":"@defer is supported on queries only","extensions":{"code":"BAD_REQUEST"}}]}` {
		t.Fatalf("%s: %s", ct, body)
	}
	for name, sg := range sgs {
		if n := len(sg.Requests()); n != 0 {
			t.Errorf("subgraph %s called %d times", name, n)
		}
	}
}

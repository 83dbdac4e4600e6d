package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/config"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// demandCase starts the demand-control corpus case's subgraphs and a router
// over them configured by set.
func demandCase(t *testing.T, set func(*app.Config)) (*httptest.Server, map[string]*fedtest.Subgraph, fedtest.Case) {
	t.Helper()
	var c fedtest.Case
	for _, x := range fedtest.Cases() {
		if x.Name == "demand-control" {
			c = x
		}
	}
	if c.Name == "" {
		t.Fatal("fedtest case demand-control not found")
	}
	urls, sgs := fedtest.Start(t, c)
	sdl, err := fedtest.SupergraphWithURLs(c, urls)
	if err != nil {
		t.Fatal(err)
	}
	return startRouter(t, sdl, set), sgs, c
}

func demandQuery(t *testing.T, c fedtest.Case, name string) fedtest.Query {
	t.Helper()
	qs, err := c.Queries()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Name == name {
			return q
		}
	}
	t.Fatalf("query %s not found", name)
	return fedtest.Query{}
}

func subgraphCalls(sgs map[string]*fedtest.Subgraph) int {
	n := 0
	for _, sg := range sgs {
		n += len(sg.Requests())
	}
	return n
}

func intPtr(n int) *int { return &n }

// wantData compares a response's data with the case's golden.
func wantData(t *testing.T, c fedtest.Case, name string, r response) {
	t.Helper()
	golden, err := fedtest.LoadGolden(c, name)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Data, want.Data) {
		t.Fatalf("data = %v, want golden %v", r.Data, want.Data)
	}
}

// Hand-computed figures for the demand-control case (list size from
// @listSize everywhere):
//
//	products-first (first: 2): 2 × (Product 1 + price 2 + 4 reviews × Review 3) = 30;
//	  returned: p1 (1 + 2 + 2 reviews × 3) + p2 (1 + 2, no review) = 12
//	catalog: Catalog 1 + 3 items (sized by assumedSize 3) × 1 = 4; returned 1 + 3 = 4
//	product: @cost 5 + 4 reviews × 3 = 17; returned 5 + 2 reviews × 3 = 11
var demandFigures = map[string][2]float64{
	"products-first": {30, 12},
	"catalog":        {4, 4},
	"product":        {17, 11},
}

func TestDemandControlMeasure(t *testing.T) {
	t.Parallel()
	srv, _, c := demandCase(t, func(cfg *app.Config) {
		cfg.DemandControl = config.DemandControl{Enabled: true, Mode: config.DemandMeasure,
			Strategy: config.DemandStrategy{StaticEstimated: config.StaticEstimated{ListSize: intPtr(10), Max: 20}}}
	})
	for name, fig := range demandFigures {
		q := demandQuery(t, c, name)
		status, r, _ := post(t, srv.URL, map[string]any{"query": q.Query, "variables": q.Variables}, nil)
		if status != 200 || len(r.Errors) != 0 {
			t.Fatalf("%s: HTTP %d, errors %+v", name, status, r.Errors)
		}
		wantData(t, c, name, r)
		result := "COST_OK"
		if fig[0] > 20 {
			// Measure mode reports what enforce mode would do, and runs it.
			result = "COST_ESTIMATED_TOO_EXPENSIVE"
		}
		want := map[string]any{"estimated": fig[0], "actual": fig[1], "result": result, "strategy": "static_estimated"}
		if got := r.Extensions["cost"]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: extensions.cost = %v, want %v", name, got, want)
		}
	}
}

func TestDemandControlEnforce(t *testing.T) {
	t.Parallel()
	configs := map[string]func(*app.Config){
		"demand_control": func(cfg *app.Config) {
			cfg.DemandControl = config.DemandControl{Enabled: true, Mode: config.DemandEnforce,
				Strategy: config.DemandStrategy{StaticEstimated: config.StaticEstimated{Max: 20}}}
		},
		"limits.max_cost": func(cfg *app.Config) { cfg.Limits.MaxCost = 20 },
	}
	for name, set := range configs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, sgs, c := demandCase(t, set)
			q := demandQuery(t, c, "products-first")
			// first: 2 from a variable: estimated 30 > 20, refused before
			// any subgraph is called.
			status, r, _ := post(t, srv.URL, map[string]any{"query": q.Query, "variables": map[string]any{"n": 2}}, nil)
			if status != 200 || r.code() != "COST_ESTIMATED_TOO_EXPENSIVE" || r.Data != nil {
				t.Fatalf("HTTP %d, %+v, want COST_ESTIMATED_TOO_EXPENSIVE without data", status, r)
			}
			ext := r.Errors[0].Extensions
			if ext["cost.estimated"] != 30.0 || ext["cost.max"] != 20.0 {
				t.Fatalf("error extensions %v, want cost.estimated 30 and cost.max 20", ext)
			}
			if n := subgraphCalls(sgs); n != 0 {
				t.Fatalf("%d subgraph requests for a refused operation, want 0", n)
			}
			// first: 1 costs 15: it runs.
			status, r, _ = post(t, srv.URL, map[string]any{"query": q.Query, "variables": map[string]any{"n": 1}}, nil)
			if status != 200 || len(r.Errors) != 0 || productCount(t, r) != 1 {
				t.Fatalf("first: 1: HTTP %d, %+v", status, r)
			}
			cost, _ := r.Extensions["cost"].(map[string]any)
			if cost["estimated"] != 15.0 || cost["actual"] != 9.0 || cost["result"] != "COST_OK" {
				t.Fatalf("first: 1: extensions.cost = %v, want estimated 15, actual 9", cost)
			}
			// The same document with n = 2 again: the estimate follows the
			// variables, not the cached plan.
			_, r, _ = post(t, srv.URL, map[string]any{"query": q.Query, "variables": map[string]any{"n": 2}}, nil)
			if r.code() != "COST_ESTIMATED_TOO_EXPENSIVE" {
				t.Fatalf("first: 2 after first: 1: %+v", r)
			}
			// A literal works as a variable does.
			_, r, _ = post(t, srv.URL, map[string]any{"query": `{ products(first: 3) { id } }`}, nil)
			if cost, _ := r.Extensions["cost"].(map[string]any); len(r.Errors) != 0 || cost["estimated"] != 3.0 {
				t.Fatalf("products(first: 3): %+v", r)
			}
		})
	}
}

// TestDemandControlSlicingArgumentRequired: products' @listSize requires
// its slicing argument; without it enforce mode refuses the operation
// (COST_QUERY_PARSE_FAILURE) and measure mode runs it and says so.
func TestDemandControlSlicingArgumentRequired(t *testing.T) {
	t.Parallel()
	query := `{ products { id } }`
	srv, sgs, _ := demandCase(t, func(cfg *app.Config) { cfg.Limits.MaxCost = 100 })
	_, r, _ := post(t, srv.URL, map[string]any{"query": query}, nil)
	if r.code() != "COST_QUERY_PARSE_FAILURE" || subgraphCalls(sgs) != 0 {
		t.Fatalf("enforce: %+v after %d subgraph requests, want COST_QUERY_PARSE_FAILURE and none", r, subgraphCalls(sgs))
	}
	srv, _, _ = demandCase(t, func(cfg *app.Config) { cfg.DemandControl = config.DemandControl{Enabled: true} })
	_, r, _ = post(t, srv.URL, map[string]any{"query": query}, nil)
	cost, _ := r.Extensions["cost"].(map[string]any)
	if len(r.Errors) != 0 || productCount(t, r) != 3 || cost["result"] != "COST_QUERY_PARSE_FAILURE" {
		t.Fatalf("measure: %+v", r)
	}
}

func TestDemandControlOff(t *testing.T) {
	t.Parallel()
	srv, _, c := demandCase(t, nil)
	q := demandQuery(t, c, "products-first")
	_, r, _ := post(t, srv.URL, map[string]any{"query": q.Query, "variables": q.Variables}, nil)
	if len(r.Errors) != 0 || r.Extensions["cost"] != nil {
		t.Fatalf("demand control off: %+v", r)
	}
}

// TestDemandControlSubscription: a subscription is weighed when it is
// opened (inventoryUpdated returns one Product: cost 1); over the maximum
// it is refused inside the stream and the subgraph never subscribes.
func TestDemandControlSubscription(t *testing.T) {
	t.Parallel()
	open := func(t *testing.T, srv *httptest.Server) (*http.Response, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		body, err := json.Marshal(map[string]any{"query": stockSubscription})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, cancel
	}
	t.Run("over the maximum", func(t *testing.T) {
		t.Parallel()
		srv, feed := startStreamingShopWith(t, func(cfg *app.Config) { cfg.Limits.MaxCost = 0.5 })
		res, cancel := open(t, srv)
		defer cancel()
		defer closeBody(res)
		stream, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(stream), `"code":"COST_ESTIMATED_TOO_EXPENSIVE"`) || !strings.HasSuffix(string(stream), "event: complete\ndata:\n\n") {
			t.Fatalf("stream %q, want a COST_ESTIMATED_TOO_EXPENSIVE error then complete", stream)
		}
		if n := feed.active(); n != 0 {
			t.Fatalf("%d subgraph subscriptions for a refused operation", n)
		}
	})
	t.Run("within the maximum", func(t *testing.T) {
		t.Parallel()
		srv, feed := startStreamingShopWith(t, func(cfg *app.Config) { cfg.Limits.MaxCost = 1 })
		res, cancel := open(t, srv)
		defer closeBody(res)
		waitActive(t, feed, 1)
		cancel()
		waitActive(t, feed, 0)
	})
}

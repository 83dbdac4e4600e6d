package engine

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// overrideCase serves the override-progressive corpus case: price moves
// from legacy to modern under percent(50), stock under the label beta.
func overrideCase(t *testing.T, o OverrideOptions) (*Engine, map[string]*fedtest.Subgraph) {
	t.Helper()
	var c fedtest.Case
	for _, x := range fedtest.Cases() {
		if x.Name == "override-progressive" {
			c = x
		}
	}
	urls, sgs := fedtest.Start(t, c)
	sdl, err := fedtest.SupergraphWithURLs(c, urls)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e, err := New(ctx, Options{SupergraphSDL: sdl, Override: o})
	if err != nil {
		t.Fatal(err)
	}
	return e, sgs
}

const overrideQuery = `{ products { id name price stock } }`

const overrideWant = `{"data":{"products":[{"id":"p1","name":"Lamp","price":25,"stock":7},{"id":"p2","name":"Desk","price":120,"stock":0}]}}`

// runOverride executes the query once and returns which subgraph served
// price and stock ("legacy" or "modern").
func runOverride(t *testing.T, e *Engine, sgs map[string]*fedtest.Subgraph, header http.Header) (price, stock string) {
	t.Helper()
	for _, sg := range sgs {
		sg.Reset()
	}
	var buf bytes.Buffer
	if err := e.Execute(context.Background(), &Request{Query: overrideQuery}, header, &buf, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != overrideWant {
		t.Fatalf("response %s, want %s", buf.String(), overrideWant)
	}
	servedBy := func(field string) string {
		for _, name := range []string{"legacy", "modern"} {
			for _, r := range sgs[name].Requests() {
				if strings.Contains(r.Query, field) {
					return name
				}
			}
		}
		t.Fatalf("no subgraph was asked for %s", field)
		return ""
	}
	return servedBy("price"), servedBy("stock")
}

// sequence returns a deterministic random source cycling through values.
func sequence(values ...float64) func() float64 {
	var mu sync.Mutex
	i := 0
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		v := values[i%len(values)]
		i++
		return v
	}
}

// TestOverridePercent: percent(50) is drawn per request; with draws
// alternating below and above one half, the two subgraphs serve price in
// turn, and each variant is planned once and then served from the plan
// cache.
func TestOverridePercent(t *testing.T) {
	t.Parallel()
	e, sgs := overrideCase(t, OverrideOptions{Rand: sequence(0.25, 0.75)})
	served := map[string]int{}
	for range 10 {
		price, stock := runOverride(t, e, sgs, nil)
		served[price]++
		if stock != "legacy" {
			t.Fatalf("stock served by %s without the beta label", stock)
		}
	}
	if served["modern"] != 5 || served["legacy"] != 5 {
		t.Fatalf("price served %v, want 5 by each subgraph", served)
	}
	if n := e.plannings.Load(); n != 2 {
		t.Fatalf("%d plannings for two label sets, want 2 (one per variant, then cached)", n)
	}
	e.override.mu.Lock()
	variants := len(e.override.configs)
	e.override.mu.Unlock()
	if variants != 2 {
		t.Fatalf("%d planner configurations, want 2", variants)
	}
}

// TestOverrideLabelsConfigured: a label listed in the configuration is
// active in every request; without it the field stays where it was.
func TestOverrideLabelsConfigured(t *testing.T) {
	t.Parallel()
	never := func() float64 { return 0.99 }
	e, sgs := overrideCase(t, OverrideOptions{Labels: []string{"beta"}, Rand: never})
	for range 3 {
		if price, stock := runOverride(t, e, sgs, nil); stock != "modern" || price != "legacy" {
			t.Fatalf("beta configured: price by %s, stock by %s; want legacy, modern", price, stock)
		}
	}
	e, sgs = overrideCase(t, OverrideOptions{Rand: never})
	if _, stock := runOverride(t, e, sgs, nil); stock != "legacy" {
		t.Fatalf("beta not configured: stock by %s, want legacy", stock)
	}
}

// TestOverrideLabelsHeader: with a header configured, a request may turn
// labels on for itself; the header means nothing when not configured.
func TestOverrideLabelsHeader(t *testing.T) {
	t.Parallel()
	never := func() float64 { return 0.99 }
	beta := http.Header{"X-Override-Labels": {"other, beta"}}
	e, sgs := overrideCase(t, OverrideOptions{Header: "X-Override-Labels", Rand: never})
	if _, stock := runOverride(t, e, sgs, beta); stock != "modern" {
		t.Fatalf("beta in the header: stock by %s, want modern", stock)
	}
	if _, stock := runOverride(t, e, sgs, nil); stock != "legacy" {
		t.Fatalf("no header: stock by %s, want legacy", stock)
	}
	// The header can also force a percent label on.
	if price, _ := runOverride(t, e, sgs, http.Header{"X-Override-Labels": {"percent(50)"}}); price != "modern" {
		t.Fatalf("percent(50) in the header: price by %s, want modern", price)
	}
	e, sgs = overrideCase(t, OverrideOptions{Rand: never})
	if _, stock := runOverride(t, e, sgs, beta); stock != "legacy" {
		t.Fatalf("header not enabled: stock by %s, want legacy", stock)
	}
}

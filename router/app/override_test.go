package app_test

import (
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// stockServedBy runs the override-progressive query through the router and
// returns the subgraph asked for stock (moved to modern under label beta).
func stockServedBy(t *testing.T, url string, sgs map[string]*fedtest.Subgraph, headers map[string]string) string {
	t.Helper()
	for _, sg := range sgs {
		sg.Reset()
	}
	_, r, _ := post(t, url, map[string]any{"query": `{ products { id stock } }`}, headers)
	if len(r.Errors) != 0 || len(r.Data["products"].([]any)) != 2 {
		t.Fatalf("response %+v", r)
	}
	for _, name := range []string{"legacy", "modern"} {
		for _, req := range sgs[name].Requests() {
			if strings.Contains(req.Query, "stock") {
				return name
			}
		}
	}
	t.Fatal("no subgraph was asked for stock")
	return ""
}

func startOverrideCase(t *testing.T, set func(*app.Config)) (string, map[string]*fedtest.Subgraph) {
	t.Helper()
	for _, c := range fedtest.Cases() {
		if c.Name != "override-progressive" {
			continue
		}
		urls, sgs := fedtest.Start(t, c)
		sdl, err := fedtest.SupergraphWithURLs(c, urls)
		if err != nil {
			t.Fatal(err)
		}
		return startRouter(t, sdl, set).URL, sgs
	}
	t.Fatal("fedtest case override-progressive not found")
	return "", nil
}

// TestOverrideLabelsThroughRouter: override_labels turns a label on for
// every request; override_labels_header lets a request turn it on for
// itself, and only when configured.
func TestOverrideLabelsThroughRouter(t *testing.T) {
	t.Parallel()
	beta := map[string]string{"X-Override-Labels": "beta"}
	url, sgs := startOverrideCase(t, func(cfg *app.Config) { cfg.OverrideLabelList = []string{"beta"} })
	if got := stockServedBy(t, url, sgs, nil); got != "modern" {
		t.Fatalf("override_labels [beta]: stock by %s, want modern", got)
	}
	url, sgs = startOverrideCase(t, func(cfg *app.Config) { cfg.OverrideLabelsHeader = "X-Override-Labels" })
	if got := stockServedBy(t, url, sgs, beta); got != "modern" {
		t.Fatalf("beta in the header: stock by %s, want modern", got)
	}
	if got := stockServedBy(t, url, sgs, nil); got != "legacy" {
		t.Fatalf("no header: stock by %s, want legacy", got)
	}
	url, sgs = startOverrideCase(t, nil)
	if got := stockServedBy(t, url, sgs, beta); got != "legacy" {
		t.Fatalf("header not configured: stock by %s, want legacy", got)
	}
}

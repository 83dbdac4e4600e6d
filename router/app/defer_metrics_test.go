package app_test

import (
	"testing"

	"github.com/shopsupergraph/shop/router/app"
)

// TestDeferMetrics: a deferred request is measured like any other, under
// its operation name, and its deferred subgraph fetch too.
func TestDeferMetrics(t *testing.T) {
	t.Parallel()
	r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(deferSubgraphs(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, r)
	ct, _ := postDefer(t, srv.URL, acceptDefer, `query Stock { product(id: "p1") { name ... @defer { inStock } } }`, nil)
	if ct != `multipart/mixed;boundary="graphql";deferSpec=20220824` {
		t.Fatalf("content type %q", ct)
	}
	text := scrape(t, r.MetricsHandler())
	for _, c := range []struct {
		name   string
		labels map[string]string
	}{
		{"http_server_request_duration_seconds_count", map[string]string{"graphql_operation_name": "Stock", "graphql_operation_type": "query", "http_response_status_code": "200"}},
		{"http_client_request_duration_seconds_count", map[string]string{"subgraph_name": "products", "http_response_status_code": "200"}},
		{"http_client_request_duration_seconds_count", map[string]string{"subgraph_name": "inventory", "http_response_status_code": "200"}},
	} {
		if got, n := series(text, c.name, c.labels); n != 1 || got != "1" {
			t.Errorf("%s%v = %q (%d series), want 1", c.name, c.labels, got, n)
		}
	}
	if _, n := series(text, "http_server_request_duration_seconds_count", map[string]string{"graphql_operation_name": "Stock", "error_type": "graphql_error"}); n != 0 {
		t.Error("the deferred request counted as an error")
	}
	if t.Failed() {
		t.Log(text)
	}
}

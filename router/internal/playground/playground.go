// Package playground serves the shared playground (module
// github.com/shopsupergraph/shop/playground) at "/" of the router,
// configured from the router's configuration: the GraphQL endpoint, the
// query-plan header and whether plans and subscriptions are on.
package playground

import (
	"net/http"

	shared "github.com/shopsupergraph/shop/playground"

	"github.com/shopsupergraph/shop/router/internal/config"
)

// Handler serves the playground page at "/" and its assets under
// "/playground/"; the page sends operations to endpoint.
func Handler(cfg config.Config, endpoint string) (http.Handler, error) {
	return shared.Handler(Options(cfg, endpoint))
}

// Options maps the router configuration onto the page's options: the plan
// pane always shows on the router, and explains how to turn plans on when
// query_plan.enabled is off.
func Options(cfg config.Config, endpoint string) shared.Options {
	header := cfg.QueryPlan.Header
	if header == "" {
		header = "X-Query-Plan"
	}
	return shared.Options{
		Title:            "Shop supergraph",
		Endpoint:         endpoint,
		QueryPlanHeader:  header,
		QueryPlanEnabled: cfg.QueryPlan.Enabled,
		Subscriptions:    cfg.SubscriptionsEnabled(),
	}
}

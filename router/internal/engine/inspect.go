package engine

import (
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// QueryPlan plans req the way Execute would, with each subgraph query
// included, and returns the fetch tree for inspection: the same planning
// and postprocessing (multi-fetch merging, serialized mutation fields,
// key fields), so the tree shows the fetches that run. It bypasses the
// plan cache (the cached plans omit subgraph queries to stay small), so it
// is meant for the opt-in query-plan header, not for the hot path.
func (e *Engine) QueryPlan(req *Request) (*resolve.FetchTreeQueryPlanNode, error) {
	p := e.prepare(req)
	if p.err != nil {
		return nil, p.err
	}
	cp := e.buildPlan(p, true)
	switch {
	case cp.err != nil:
		return nil, cp.err
	case cp.subscription != nil:
		return cp.subscription.Response.Fetches.QueryPlan(), nil
	}
	return cp.response.Fetches.QueryPlan(), nil
}

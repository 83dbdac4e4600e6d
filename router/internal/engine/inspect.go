package engine

import (
	"context"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// QueryPlan plans req the way Execute would, with each subgraph query
// included, and returns the fetch tree for inspection: the same planning
// and postprocessing (multi-fetch merging, serialized mutation fields,
// key fields), so the tree shows the fetches that run. It bypasses the
// plan cache (the cached plans omit subgraph queries to stay small), so it
// is meant for the opt-in query-plan header, not for the hot path.
func (e *Engine) QueryPlan(req *Request) (*resolve.FetchTreeQueryPlanNode, error) {
	return e.QueryPlanContext(context.Background(), req)
}

// QueryPlanContext is QueryPlan for the request whose context is ctx: the
// plan is the one of the operation authorization leaves for it.
func (e *Engine) QueryPlanContext(ctx context.Context, req *Request) (*resolve.FetchTreeQueryPlanNode, error) {
	p := e.prepare(req)
	if p.err != nil {
		return nil, p.err
	}
	p, rerr := e.authorize(ctx, p)
	if rerr != nil {
		return nil, rerr
	}
	if p.empty {
		// Every root field was removed: no subgraph is called.
		return &resolve.FetchTreeQueryPlanNode{}, nil
	}
	// The plan shown is the one of one draw of the override labels.
	cp := e.buildPlan(p, e.activeLabels(nil), true)
	switch {
	case cp.err != nil:
		return nil, cp.err
	case cp.subscription != nil:
		return cp.subscription.Response.Fetches.QueryPlan(), nil
	}
	return cp.response.Fetches.QueryPlan(), nil
}

package engine

import (
	"context"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/postprocess"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"
)

// QueryPlan plans req the way Execute would, with each subgraph query
// included, and returns the fetch tree for inspection. It bypasses the plan
// cache (the cached plans omit subgraph queries to stay small), so it is
// meant for the opt-in query-plan header, not for the hot path.
func (e *Engine) QueryPlan(req *Request) (*resolve.FetchTreeQueryPlanNode, error) {
	return e.QueryPlanContext(context.Background(), req)
}

// QueryPlanContext is QueryPlan for the request whose context is ctx: the
// plan is the one of the operation authorization leaves for it.
func (e *Engine) QueryPlanContext(ctx context.Context, req *Request) (qp *resolve.FetchTreeQueryPlanNode, err error) {
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
	defer func() {
		// The planner panics on some unsupported shapes; Execute reports
		// those as planning errors, and so does this.
		if r := recover(); r != nil {
			qp, err = nil, newRequestError(KindPlan, codeQueryPlanFailed, "query planning failed: %v", r)
		}
	}()
	doc, report := astparser.ParseGraphqlDocumentString(p.normalized)
	if report.HasErrors() {
		return nil, reportError(KindPlan, codeQueryPlanFailed, &report)
	}
	planner, perr := plan.NewPlanner(e.planConfig)
	if perr != nil {
		return nil, newRequestError(KindPlan, codeQueryPlanFailed, "create planner: %s", perr)
	}
	rep := &operationreport.Report{}
	pl := planner.Plan(&doc, e.router, p.opName, rep, plan.IncludeQueryPlanInResponse())
	if rep.HasErrors() {
		return nil, reportError(KindPlan, codeQueryPlanFailed, rep)
	}
	postprocess.NewProcessor().Process(pl)
	switch x := pl.(type) {
	case *plan.SynchronousResponsePlan:
		return x.Response.Fetches.QueryPlan(), nil
	case *plan.SubscriptionResponsePlan:
		return x.Response.Response.Fetches.QueryPlan(), nil
	}
	return nil, newRequestError(KindPlan, codeQueryPlanFailed, "unsupported plan kind %T", pl)
}

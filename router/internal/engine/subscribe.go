package engine

import (
	"context"
	"net/http"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/postprocess"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"

	"github.com/shopsupergraph/shop/router/internal/authz"
)

// SubscriptionWriter receives the events of one subscription: each event is
// a complete GraphQL response written then flushed; Complete marks the end.
type SubscriptionWriter = resolve.SubscriptionResponseWriter

// Subscribe runs a subscription operation: it opens the subscription at the
// owning subgraph, resolves the fields of other subgraphs for every event
// and writes each response to w until the subgraph completes or ctx ends.
// A *RequestError means the operation was refused before anything was
// written. Subscriptions are planned per call: they are long-lived, so the
// plan cost is negligible next to their lifetime.
func (e *Engine) Subscribe(ctx context.Context, req *Request, header http.Header, w SubscriptionWriter) (err error) {
	p := e.prepare(req)
	if p.err != nil {
		return p.err
	}
	if p.opType != ast.OperationTypeSubscription {
		return newRequestError(KindBadRequest, codeBadRequest, "only subscriptions can be sent on a streaming connection; use POST /graphql for %ss", opTypeName(p.opType))
	}
	p, rerr := e.authorize(ctx, p)
	if rerr != nil {
		return rerr
	}
	if p.empty {
		// Nothing is left to subscribe to: refuse it as reject mode does.
		return unauthorizedError(removedPaths(p.removed))
	}
	sub, rerr := e.planSubscription(p)
	if rerr != nil {
		return rerr
	}
	vars, perr := astjson.ParseBytes(p.variables)
	if perr != nil {
		return newRequestError(KindVariables, codeBadUserInput, "variables: %s", perr)
	}
	rctx := resolve.NewContext(ctx)
	rctx.Variables = vars
	rctx.VariablesHash = p.varsHash
	hb := e.headers.build(header)
	rctx.Request = resolve.Request{ID: p.id, Header: hb.header}
	rctx.SubgraphHeadersBuilder = hb
	if len(p.removed) > 0 {
		rctx.SetAuthorizer(authz.Denier{})
	}
	return e.resolver.ResolveGraphQLSubscription(rctx, sub, w)
}

func (e *Engine) planSubscription(p *prepared) (sub *resolve.GraphQLSubscription, rerr *RequestError) {
	defer func() {
		// The planner panics on some unsupported shapes; report those as a
		// planning error, as Execute does.
		if r := recover(); r != nil {
			sub, rerr = nil, newRequestError(KindPlan, codeQueryPlanFailed, "query planning failed: %v", r)
		}
	}()
	doc, report := astparser.ParseGraphqlDocumentString(p.normalized)
	if report.HasErrors() {
		return nil, reportError(KindPlan, codeQueryPlanFailed, &report)
	}
	planner, err := plan.NewPlanner(e.planConfig)
	if err != nil {
		return nil, newRequestError(KindPlan, codeQueryPlanFailed, "create planner: %s", err)
	}
	rep := &operationreport.Report{}
	pl := planner.Plan(&doc, e.router, p.opName, rep)
	if rep.HasErrors() {
		return nil, reportError(KindPlan, codeQueryPlanFailed, rep)
	}
	postprocess.NewProcessor().Process(pl)
	sp, ok := pl.(*plan.SubscriptionResponsePlan)
	if !ok {
		return nil, newRequestError(KindPlan, codeQueryPlanFailed, "subscription planned as %T", pl)
	}
	if sp.Response.Response != nil {
		authz.AddPlaceholders(sp.Response.Response.Data, p.removed)
	}
	return sp.Response, nil
}

package engine

import (
	"context"
	"net/http"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// SubscriptionWriter receives the events of one subscription: each event is
// a complete GraphQL response written then flushed; Complete marks the end.
type SubscriptionWriter = resolve.SubscriptionResponseWriter

// Subscribe runs a subscription operation: it opens the subscription at the
// owning subgraph, resolves the fields of other subgraphs for every event
// and writes each response to w until the subgraph completes or ctx ends.
// A *RequestError means the operation was refused before anything was
// written. Subscriptions share the plan cache with queries: a document
// many clients subscribe to is planned once.
func (e *Engine) Subscribe(ctx context.Context, req *Request, header http.Header, w SubscriptionWriter) (err error) {
	p := e.prepare(req)
	if p.err != nil {
		return p.err
	}
	if p.opType != ast.OperationTypeSubscription {
		return newRequestError(KindBadRequest, codeBadRequest, "only subscriptions can be sent on a streaming connection; use POST /graphql for %ss", opTypeName(p.opType))
	}
	cp := e.planFor(p)
	if cp.err != nil {
		return cp.err
	}
	if cp.subscription == nil {
		return newRequestError(KindPlan, codeQueryPlanFailed, "the subscription was not planned as one")
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
	return e.resolver.ResolveGraphQLSubscription(rctx, cp.subscription, w)
}

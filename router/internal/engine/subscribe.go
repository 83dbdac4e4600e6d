package engine

import (
	"bytes"
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
	var paths *planErrorPaths
	sub.Response.Fetches, paths = installErrorPaths(sub.Response.Fetches)
	var rec *errorRecorder
	if paths != nil {
		ctx, rec = newErrorRecorder(ctx, nil, paths)
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
	if rec != nil {
		rec.rctx = rctx
		rctx.LoaderHooks = rec
	}
	return e.resolver.ResolveGraphQLSubscription(rctx, sub, &errorPathWriter{SubscriptionWriter: w, rec: rec})
}

// errorPathWriter gives each subscription event's errors their client
// paths (see rewriteErrors) before it reaches the client. The resolver
// writes an event, then flushes it, one event at a time per subscription.
type errorPathWriter struct {
	SubscriptionWriter
	rec *errorRecorder
	buf bytes.Buffer
}

// Write buffers the event until Flush.
func (w *errorPathWriter) Write(p []byte) (int, error) {
	return w.buf.Write(p)
}

// Flush rewrites the buffered event's errors, writes it and flushes.
func (w *errorPathWriter) Flush() error {
	if err := w.writeBuffered(); err != nil {
		return err
	}
	return w.SubscriptionWriter.Flush()
}

// Complete writes what is still buffered, then completes.
func (w *errorPathWriter) Complete() {
	_ = w.writeBuffered()
	w.SubscriptionWriter.Complete()
}

func (w *errorPathWriter) writeBuffered() error {
	var entries [][][]any
	if w.rec != nil {
		entries = w.rec.take()
	}
	if w.buf.Len() == 0 {
		return nil
	}
	if bytes.HasPrefix(w.buf.Bytes(), errorsPrefix) {
		rewriteErrors(&w.buf, entries)
	}
	_, err := w.SubscriptionWriter.Write(w.buf.Bytes())
	w.buf.Reset()
	return err
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

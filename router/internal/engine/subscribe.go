package engine

import (
	"bytes"
	"context"
	"net/http"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"

	"github.com/shopsupergraph/shop/router/internal/authz"
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
	p, rerr := e.authorize(ctx, p)
	if rerr != nil {
		return rerr
	}
	if p.empty {
		// Nothing is left to subscribe to: refuse it as reject mode does.
		return unauthorizedError(removedPaths(p.removed))
	}
	// Demand control weighs a subscription once, when it is opened; its
	// events are not measured.
	if _, rerr := e.estimateCost(p); rerr != nil {
		return rerr
	}
	cp := e.planFor(p, e.activeLabels(header))
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
	var rec *errorRecorder
	if cp.errorPaths != nil {
		ctx, rec = newErrorRecorder(ctx, nil, cp.errorPaths)
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
	return e.resolver.ResolveGraphQLSubscription(rctx, cp.subscription, &errorPathWriter{SubscriptionWriter: w, rec: rec})
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

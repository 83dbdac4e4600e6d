package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"

	"github.com/shopsupergraph/shop/router/internal/authz"
)

// ExecOptions vary execution per request.
type ExecOptions struct {
	// QueriesOnly rejects mutations (GET requests) with KindMethodNotAllowed.
	QueriesOnly bool
}

// Execute runs one request and writes the GraphQL response JSON to w. A
// *RequestError means nothing was written and the operation was rejected;
// any other error means execution failed midway. When ctx ends (the client
// went away, the request timed out) Execute returns ctx's error: the
// subgraph requests in flight are cancelled with it, and the stages that
// do not watch a context (normalization, planning) are followed by no
// further work.
func (e *Engine) Execute(ctx context.Context, req *Request, header http.Header, w io.Writer, o ExecOptions) error {
	p := e.prepare(req)
	if p.err != nil {
		return p.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.QueriesOnly && p.opType != ast.OperationTypeQuery {
		return newRequestError(KindMethodNotAllowed, codeBadRequest, "only queries can be sent with GET; use POST for %ss", opTypeName(p.opType))
	}
	if p.opType == ast.OperationTypeSubscription {
		return newRequestError(KindBadRequest, codeBadRequest, "subscriptions are not supported on this endpoint")
	}
	p, rerr := e.authorize(ctx, p)
	if rerr != nil {
		return rerr
	}
	cp := e.planFor(p)
	if cp.err != nil {
		return cp.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	vars, err := astjson.ParseBytes(p.variables)
	if err != nil {
		return newRequestError(KindVariables, codeBadUserInput, "variables: %s", err)
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
	rctx.ExecutionOptions.DisableInboundRequestDeduplication = e.opts.DisableDeduplication
	rctx.ExecutionOptions.DisableSubgraphRequestDeduplication = e.opts.DisableDeduplication
	if len(p.removed) > 0 {
		rctx.SetAuthorizer(authz.Denier{})
	}
	if rec != nil {
		rec.rctx = rctx
		rctx.LoaderHooks = rec
		if !e.opts.DisableDeduplication {
			rec.shareWithFollowers(rctx)
		}
	}
	buf, isBuf := w.(*bytes.Buffer)
	if !isBuf || buf.Len() != 0 {
		buf = &bytes.Buffer{}
	}
	if _, err = e.resolver.ArenaResolveGraphQLResponse(rctx, cp.response, buf); err != nil {
		return err
	}
	if bytes.HasPrefix(buf.Bytes(), errorsPrefix) {
		var entries [][][]any
		if rec != nil {
			entries = rec.take()
		}
		rewriteErrors(buf, entries)
	} else if rec != nil {
		rec.take()
	}
	if buf != w {
		_, err = w.Write(buf.Bytes())
	}
	return err
}

package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"

	"github.com/cespare/xxhash/v2"
	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"

	"github.com/shopsupergraph/shop/router/internal/authz"
)

// ExecOptions vary execution per request.
type ExecOptions struct {
	// QueriesOnly rejects mutations (GET requests) with KindMethodNotAllowed.
	QueriesOnly bool
	// Deliver, when set and w is an empty *bytes.Buffer, is called with
	// the complete response in w before Execute returns nil (and only
	// then): the caller writes it to its client there, while identical
	// requests can still join this one and share its response.
	Deliver func(resp *bytes.Buffer)
	// Incremental, when set, says the client accepts incremental delivery:
	// a query with @defer fragments then streams its payloads to it (and
	// nothing to w), see defer.go.
	Incremental PartWriter
}

// Execute runs one request and writes the GraphQL response JSON to w. A
// *RequestError means nothing was written and the operation was rejected;
// any other error means execution failed midway. When ctx ends (the client
// went away, the request timed out) Execute returns ctx's error: the
// subgraph requests in flight are cancelled with it, and the stages that
// do not watch a context (normalization, planning) are followed by no
// further work.
func (e *Engine) Execute(ctx context.Context, req *Request, header http.Header, w io.Writer, o ExecOptions) error {
	req.Incremental = o.Incremental != nil
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
	// Demand control refuses an operation before it is planned, so that
	// no subgraph hears of it.
	est, rerr := e.estimateCost(p)
	if rerr != nil {
		return rerr
	}
	labels := e.activeLabels(header)
	cp := e.planFor(p, labels)
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
	if cp.contexts != nil {
		ctx = withContextValues(ctx)
	}
	rctx := resolve.NewContext(ctx)
	rctx.Variables = vars
	rctx.VariablesHash = p.varsHash
	hb := e.headers.build(header)
	rctx.Request = resolve.Request{ID: p.id, Header: hb.header}
	rctx.SubgraphHeadersBuilder = hb
	// Identical client requests are merged by inboundFlights (see there
	// for why not by the engine's own deduplication).
	rctx.ExecutionOptions.DisableInboundRequestDeduplication = true
	rctx.ExecutionOptions.DisableSubgraphRequestDeduplication = e.opts.DisableDeduplication
	if len(p.removed) > 0 {
		rctx.SetAuthorizer(authz.Denier{})
	}
	if rec != nil {
		rec.rctx = rctx
		rctx.LoaderHooks = rec
	}
	if cp.deferred != nil {
		return e.resolveDeferred(ctx, rctx, cp, rec, o.Incremental)
	}
	resolveInto := func(buf *bytes.Buffer) error {
		buf.Reset()
		_, err := e.resolver.ArenaResolveGraphQLResponse(rctx, cp.response, buf)
		var entries [][][]any
		if rec != nil {
			entries = rec.take()
		}
		if err != nil {
			return err
		}
		// Fetches cut short by the end of ctx answer with errors; that
		// response is this caller's, never one to share with followers.
		if err := ctx.Err(); err != nil {
			return err
		}
		if bytes.HasPrefix(buf.Bytes(), errorsPrefix) {
			rewriteErrors(buf, entries)
		}
		if est != nil {
			e.addCostExtension(buf, est)
		}
		return nil
	}
	buf, isBuf := w.(*bytes.Buffer)
	if !isBuf || buf.Len() != 0 {
		var tmp bytes.Buffer
		if err := resolveInto(&tmp); err != nil {
			return err
		}
		_, err = w.Write(tmp.Bytes())
		return err
	}
	resolve := func() error { return resolveInto(buf) }
	var deliver func()
	if o.Deliver != nil {
		deliver = func() { o.Deliver(buf) }
	}
	if e.opts.DisableDeduplication || p.opType != ast.OperationTypeQuery {
		if err := resolve(); err != nil {
			return err
		}
		if deliver != nil {
			deliver()
		}
		return nil
	}
	var d xxhash.Digest
	var key [24]byte
	binary.LittleEndian.PutUint64(key[0:], p.id)
	binary.LittleEndian.PutUint64(key[8:], p.varsHash)
	// Requests with other override labels may reach other subgraphs.
	binary.LittleEndian.PutUint64(key[16:], hb.hashFor(cp.subgraphs)^xxhash.Sum64String(labels))
	d.Reset()
	_, _ = d.Write(key[:])
	shared, err := e.inbound.do(ctx.Done(), d.Sum64(), buf, resolve, deliver)
	if errors.Is(err, errWaitEnded) {
		return ctx.Err()
	}
	if shared {
		e.inboundShared.Add(1)
	}
	return err
}

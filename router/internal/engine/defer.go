package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"

	"github.com/shopsupergraph/shop/router/internal/authz"
	"github.com/shopsupergraph/shop/router/internal/deferred"
)

// PartWriter receives the payloads of an incremental (@defer) response, in
// order; each one must reach the client before WritePart returns.
type PartWriter interface {
	// WritePart sends one payload; last says it is the final one.
	WritePart(payload []byte, last bool) error
}

// finishDeferPlan completes the plan of an operation with deferred
// fragments as buildPlan does a synchronous one. The deferred fetches
// capture error paths too (errpaths.go): the errors of each deferred part
// get the paths recorded while its fetches ran. Sibling fragments fetched
// at once may interleave their records; an entry that cannot be matched
// keeps the engine's path.
func (e *Engine) finishDeferPlan(cp *cachedPlan, p *prepared, d *plan.DeferResponsePlan, withQueries bool) {
	resp := d.Response.Response
	if p.opType != ast.OperationTypeQuery {
		cp.err = newRequestError(KindBadRequest, codeBadRequest, "@defer is supported on queries only")
		return
	}
	if path := findUnresolvable(resp.Data, nil); path != nil {
		cp.err = newRequestError(KindPlan, codeQueryPlanFailed,
			"cannot satisfy the selection at %s: no subgraph can resolve it", fmt.Sprint(path))
		return
	}
	e.keys.requireKeyFields(resp.Fetches)
	eachDeferGroup(d.Response.DeferTree, func(g *resolve.DeferFetchGroup) { e.keys.requireKeyFields(g.Fetches) })
	authz.AddPlaceholders(resp.Data, p.removed)
	cp.subgraphs = fetchedSubgraphs(resp.Fetches)
	if !withQueries {
		resp.Fetches, cp.errorPaths = installErrorPaths(resp.Fetches)
		eachDeferGroup(d.Response.DeferTree, func(g *resolve.DeferFetchGroup) {
			var gp *planErrorPaths
			if g.Fetches, gp = installErrorPaths(g.Fetches); gp == nil {
				return
			}
			if cp.errorPaths == nil {
				cp.errorPaths = gp
				return
			}
			for k, f := range gp.fetches {
				if _, ok := cp.errorPaths.fetches[k]; !ok {
					cp.errorPaths.fetches[k] = f
				}
			}
		})
	}
	cp.response = resp
	cp.deferred = d.Response
}

// eachDeferGroup calls fn on every fetch group of a defer tree.
func eachDeferGroup(n *resolve.DeferTreeNode, fn func(*resolve.DeferFetchGroup)) {
	if n == nil {
		return
	}
	if n.Item != nil {
		fn(n.Item)
	}
	for _, c := range n.ChildNodes {
		eachDeferGroup(c, fn)
	}
}

// deferWriter collects each frame the engine renders and, when the engine
// flushes it, sends it on as a deferSpec=20220824 payload.
type deferWriter struct {
	ctx     context.Context
	buf     bytes.Buffer
	tr      deferred.Transcoder
	out     PartWriter
	rec     *errorRecorder
	written int // payloads sent
	// frameEntries are the error paths recorded for the frame being sent,
	// handed out in order to its errors arrays.
	frameEntries [][][]any
	err          error
}

func (w *deferWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *deferWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	// A part whose fetches ctx cut short is not sent as if it were
	// complete: the stream ends with the reason instead (resolveDeferred).
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return err
	}
	if w.written == 0 {
		if w.rec != nil && bytes.HasPrefix(w.buf.Bytes(), errorsPrefix) {
			rewriteErrors(&w.buf, w.rec.takeEntries())
		}
	}
	if w.rec != nil && w.written > 0 {
		w.frameEntries = w.rec.takeEntries()
	}
	payload, err := w.tr.Payload(w.buf.Bytes())
	w.buf.Reset()
	if err != nil {
		w.err = err
		return err
	}
	if payload == nil {
		return nil
	}
	if err := w.out.WritePart(payload, w.tr.Done()); err != nil {
		w.err = err
		return err
	}
	w.written++
	return nil
}

// Complete implements resolve.DeferResponseWriter; the caller ends the stream.
func (w *deferWriter) Complete() {}

var (
	endPayload     = []byte(`{"hasNext":false}`)
	timeoutPayload = []byte(`{"hasNext":false,"errors":[{"message":"request timed out","extensions":{"code":"GATEWAY_TIMEOUT"}}]}`)
)

// resolveDeferred streams a deferred response: the initial payload is
// written and flushed before any deferred fetch starts. An error before
// the initial payload is returned as Execute's; after it, the stream is
// ended with a last payload (hasNext: false) and Execute returns the error
// only when the client is gone.
func (e *Engine) resolveDeferred(ctx context.Context, rctx *resolve.Context, cp *cachedPlan, rec *errorRecorder, out PartWriter) error {
	w := &deferWriter{ctx: ctx, out: out, rec: rec}
	if rec != nil {
		// The data root the recorder keeps lives in the engine's arena,
		// which the deferred response holds until it returns.
		defer rec.take()
		w.tr.RewriteErrors = func(errs []byte) []byte {
			var b bytes.Buffer
			b.WriteString(`{"errors":`)
			b.Write(errs)
			b.WriteByte('}')
			rewriteErrors(&b, w.entriesFor(errs))
			out := b.Bytes()
			return out[len(`{"errors":`) : len(out)-1]
		}
	}
	_, err := e.resolver.ResolveGraphQLDeferResponse(rctx, cp.deferred, w)
	if w.written == 0 {
		if err == nil {
			err = w.err
		}
		if err == nil {
			err = ctx.Err()
		}
		return err
	}
	if w.tr.Done() && err == nil && ctx.Err() == nil {
		return nil
	}
	if errors.Is(w.err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	end := endPayload
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		end = timeoutPayload
	}
	if werr := out.WritePart(end, true); werr != nil {
		return werr
	}
	return nil
}

// entriesFor hands out the frame's recorded entries for one errors array:
// one per error at an _entities path, in order.
func (w *deferWriter) entriesFor(errs []byte) [][][]any {
	var list []struct {
		Path []any `json:"path"`
	}
	if json.Unmarshal(errs, &list) != nil {
		return nil
	}
	n := 0
	for _, e := range list {
		if len(e.Path) > 1 && e.Path[0] == "_entities" {
			n++
		}
	}
	n = min(n, len(w.frameEntries))
	out := w.frameEntries[:n]
	w.frameEntries = w.frameEntries[n:]
	return out
}

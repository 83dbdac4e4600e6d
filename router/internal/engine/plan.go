package engine

import (
	"fmt"
	"strconv"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/postprocess"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"

	"github.com/shopsupergraph/shop/router/internal/authz"
)

// cachedPlan is a postprocessed plan (shared read-only by all requests of
// the operation) or the reason the operation cannot be planned.
type cachedPlan struct {
	normalized string
	authzKey   string
	response   *resolve.GraphQLResponse
	errorPaths *planErrorPaths // nil without entity fetches
	err        *RequestError
}

// planFor returns the plan of a prepared operation, planning it at most
// once at a time per operation.
func (e *Engine) planFor(p *prepared) *cachedPlan {
	if cp := p.plan.Load(); cp != nil {
		return cp
	}
	match := func(cp *cachedPlan) bool { return cp.normalized == p.normalized && cp.authzKey == p.authzKey }
	if cp, ok := e.plans.get(p.id, match); ok {
		p.plan.Store(cp)
		return cp
	}
	v, _, _ := e.planFlight.Do(strconv.FormatUint(p.id, 16), func() (any, error) {
		if cp, ok := e.plans.get(p.id, match); ok {
			return cp, nil
		}
		cp := e.buildPlan(p)
		e.plans.add(p.id, cp)
		return cp, nil
	})
	cp := v.(*cachedPlan)
	p.plan.Store(cp)
	return cp
}

func (e *Engine) buildPlan(p *prepared) (cp *cachedPlan) {
	cp = &cachedPlan{normalized: p.normalized, authzKey: p.authzKey}
	defer func() {
		// The planner panics on some unsupported shapes; report those as a
		// planning error for this operation instead of failing the process.
		if r := recover(); r != nil {
			cp.response = nil
			cp.err = newRequestError(KindPlan, codeQueryPlanFailed, "query planning failed: %v", r)
		}
	}()
	if p.empty {
		// Authorization removed every root field: nothing to fetch.
		cp.response = &resolve.GraphQLResponse{Data: &resolve.Object{}, Info: &resolve.GraphQLResponseInfo{OperationType: p.opType}}
		authz.AddPlaceholders(cp.response.Data, p.removed)
		return cp
	}
	// Planning adds key and @requires fields to the operation, so it works on
	// a fresh parse of the normalized text, never on a shared document.
	doc, report := astparser.ParseGraphqlDocumentString(p.normalized)
	if report.HasErrors() {
		cp.err = reportError(KindPlan, codeQueryPlanFailed, &report)
		return cp
	}
	planner, err := plan.NewPlanner(e.planConfig)
	if err != nil {
		cp.err = newRequestError(KindPlan, codeQueryPlanFailed, "create planner: %s", err)
		return cp
	}
	rep := &operationreport.Report{}
	pl := planner.Plan(&doc, e.router, p.opName, rep)
	if rep.HasErrors() {
		cp.err = reportError(KindPlan, codeQueryPlanFailed, rep)
		return cp
	}
	var ppOpts []postprocess.ProcessorOption
	if e.opts.MultiFetch {
		ppOpts = append(ppOpts, postprocess.EnableMultiFetch())
	}
	postprocess.NewProcessor(ppOpts...).Process(pl)
	sync, ok := pl.(*plan.SynchronousResponsePlan)
	if !ok {
		cp.err = newRequestError(KindBadRequest, codeBadRequest, "operation type %s is not supported over HTTP POST/GET", opTypeName(p.opType))
		return cp
	}
	if path := findUnresolvable(sync.Response.Data, nil); path != nil {
		cp.err = newRequestError(KindPlan, codeQueryPlanFailed,
			"cannot satisfy the selection at %s: no subgraph can resolve it", fmt.Sprint(path))
		return cp
	}
	e.keys.requireKeyFields(sync.Response.Fetches)
	serializeMutation(sync.Response)
	authz.AddPlaceholders(sync.Response.Data, p.removed)
	sync.Response.Fetches, cp.errorPaths = installErrorPaths(sync.Response.Fetches)
	cp.response = sync.Response
	return cp
}

func opTypeName(t ast.OperationType) string {
	switch t {
	case ast.OperationTypeMutation:
		return "mutation"
	case ast.OperationTypeSubscription:
		return "subscription"
	}
	return "query"
}

// findUnresolvable walks the response tree for objects the planner marked as
// impossible to resolve and returns the path of the first one.
func findUnresolvable(n resolve.Node, path []string) []string {
	switch x := n.(type) {
	case *resolve.Object:
		if x == nil {
			return nil
		}
		if x.Unresolvable {
			if len(path) == 0 {
				return []string{"(root)"}
			}
			return path
		}
		for _, f := range x.Fields {
			if p := findUnresolvable(f.Value, append(path, string(f.Name))); p != nil {
				return p
			}
		}
	case *resolve.Array:
		if x != nil {
			return findUnresolvable(x.Item, path)
		}
	}
	return nil
}

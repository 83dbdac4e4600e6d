package engine

import (
	"fmt"
	"slices"
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
	// labels are the progressive-override labels it was planned with.
	labels     string
	response   *resolve.GraphQLResponse
	authzKey   string
	errorPaths *planErrorPaths // nil without entity fetches
	// subscription is the plan of a subscription (response is then nil).
	subscription *resolve.GraphQLSubscription
	// deferred is the plan of a query with @defer fragments; response is
	// then its initial part (defer.go).
	deferred *resolve.GraphQLDeferResponse
	err      *RequestError
	// subgraphs are the names of the subgraphs the plan fetches from;
	// nil when a fetch does not say (then every subgraph counts).
	subgraphs []string
	// contexts are the plan's context arguments (context_rewrite.go).
	contexts []contextBinding
}

// planFor returns the plan of a prepared operation under a set of active
// override labels (override.go), planning it at most once at a time per
// operation and labels. Each set of labels has its own cache entries, so
// the variants of one operation never share a plan.
func (e *Engine) planFor(p *prepared, labels string) *cachedPlan {
	if labels == "" {
		if cp := p.plan.Load(); cp != nil {
			return cp
		}
	}
	key := p.id
	if labels != "" {
		key = hashStrings(strconv.FormatUint(p.id, 16), labels)
	}
	match := func(cp *cachedPlan) bool {
		return cp.normalized == p.normalized && cp.authzKey == p.authzKey && cp.labels == labels
	}
	if cp, ok := e.plans.get(key, match); ok {
		if labels == "" {
			p.plan.Store(cp)
		}
		return cp
	}
	v, _, _ := e.planFlight.Do(strconv.FormatUint(p.id, 16)+"/"+labels, func() (any, error) {
		if cp, ok := e.plans.get(key, match); ok {
			return cp, nil
		}
		e.plannings.Add(1)
		cp := e.buildPlan(p, labels, false)
		e.plans.add(key, cp)
		return cp, nil
	})
	cp := v.(*cachedPlan)
	if labels == "" {
		p.plan.Store(cp)
	}
	return cp
}

// buildPlan plans and postprocesses an operation; withQueries keeps each
// fetch's subgraph query in the plan, for inspection (X-Query-Plan): the
// plan is otherwise the one that runs.
func (e *Engine) buildPlan(p *prepared, labels string, withQueries bool) (cp *cachedPlan) {
	cp = &cachedPlan{normalized: p.normalized, authzKey: p.authzKey, labels: labels}
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
	text := p.normalized
	if e.contexts != nil && p.opType != ast.OperationTypeSubscription {
		rewritten, bindings, err := e.contexts.rewrite(text)
		if err != nil {
			cp.err = newRequestError(KindPlan, codeQueryPlanFailed, "%s", err)
			return cp
		}
		text, cp.contexts = rewritten, bindings
	}
	doc, report := astparser.ParseGraphqlDocumentString(text)
	if report.HasErrors() {
		cp.err = reportError(KindPlan, codeQueryPlanFailed, &report)
		return cp
	}
	cfg, err := e.planConfigFor(labels)
	if err != nil {
		cp.err = newRequestError(KindPlan, codeQueryPlanFailed, "%s", err)
		return cp
	}
	planner, err := plan.NewPlanner(cfg)
	if err != nil {
		cp.err = newRequestError(KindPlan, codeQueryPlanFailed, "create planner: %s", err)
		return cp
	}
	rep := &operationreport.Report{}
	var planOpts []plan.Opts
	if withQueries {
		planOpts = append(planOpts, plan.IncludeQueryPlanInResponse())
	}
	pl := planner.Plan(&doc, e.router, p.opName, rep, planOpts...)
	if rep.HasErrors() {
		cp.err = reportError(KindPlan, codeQueryPlanFailed, rep)
		return cp
	}
	if sync, ok := pl.(*plan.SynchronousResponsePlan); ok && cp.contexts != nil {
		addContextDependencies(sync.Response.RawFetches)
	}
	var ppOpts []postprocess.ProcessorOption
	// Context fetches stay single: their data source splits them by value.
	if e.opts.MultiFetch && p.opType != ast.OperationTypeSubscription && cp.contexts == nil {
		ppOpts = append(ppOpts, postprocess.EnableMultiFetch())
	}
	postprocess.NewProcessor(ppOpts...).Process(pl)
	if sub, ok := pl.(*plan.SubscriptionResponsePlan); ok && p.opType == ast.OperationTypeSubscription {
		if sub.Response.Response != nil {
			authz.AddPlaceholders(sub.Response.Response.Data, p.removed)
		}
		if !withQueries && sub.Response.Response != nil {
			sub.Response.Response.Fetches, cp.errorPaths = installErrorPaths(sub.Response.Response.Fetches)
		}
		cp.subscription = sub.Response
		return cp
	}
	if d, ok := pl.(*plan.DeferResponsePlan); ok {
		e.finishDeferPlan(cp, p, d, withQueries)
		return cp
	}
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
	if cp.contexts != nil {
		installContexts(sync.Response.Fetches, cp.contexts)
		stripContextFields(sync.Response.Data)
	}
	serializeMutation(sync.Response)
	authz.AddPlaceholders(sync.Response.Data, p.removed)
	cp.subgraphs = fetchedSubgraphs(sync.Response.Fetches)
	if !withQueries {
		// Inspection shows the fetches that run, without the error-path
		// capture the executed plan carries (errpaths.go).
		sync.Response.Fetches, cp.errorPaths = installErrorPaths(sync.Response.Fetches)
	}
	cp.response = sync.Response
	return cp
}

// fetchedSubgraphs lists the data sources a fetch tree calls, or returns
// nil when a fetch does not name its data source.
func fetchedSubgraphs(n *resolve.FetchTreeNode) []string {
	out := []string{}
	known := true
	var walk func(n *resolve.FetchTreeNode)
	walk = func(n *resolve.FetchTreeNode) {
		if n == nil {
			return
		}
		if n.Item != nil && n.Item.Fetch != nil {
			info := n.Item.Fetch.FetchInfo()
			if info == nil {
				known = false
			} else if !slices.Contains(out, info.DataSourceName) {
				out = append(out, info.DataSourceName)
			}
		}
		for _, c := range n.ChildNodes {
			walk(c)
		}
	}
	walk(n)
	if !known {
		return nil
	}
	return out
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

// Package engine executes GraphQL operations against a federated
// supergraph with graphql-go-tools v2: it builds one data source per
// subgraph, then parses, normalizes, validates, plans (once per operation,
// cached) and resolves each request.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/asttransform"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/graphql_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/introspection_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"golang.org/x/sync/singleflight"

	"github.com/shopsupergraph/shop/router/internal/authz"
	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// Options configure an Engine.
type Options struct {
	// SupergraphSDL is the Apollo join-spec supergraph.
	SupergraphSDL string
	// SubgraphURLs overrides routing URLs by subgraph name.
	SubgraphURLs map[string]string
	// ForwardHeaders names the client headers sent on to the subgraphs.
	ForwardHeaders []string
	// HeaderSubgraphs restricts some of ForwardHeaders to the subgraphs
	// named (header name -> subgraph names); the others go to every
	// subgraph. A restricted header does not keep apart, in deduplication,
	// requests to the subgraphs that do not receive it.
	HeaderSubgraphs map[string][]string
	// HTTP tunes the subgraph client.
	HTTP HTTPOptions
	// DisableDeduplication turns off inbound and subgraph request deduplication.
	DisableDeduplication bool
	// MaxConcurrency bounds concurrently resolving operations (default 1024).
	MaxConcurrency int
	// OperationCacheSize bounds cached normalized operations (default 1024).
	OperationCacheSize int
	// PlanCacheSize bounds cached query plans (default 1024).
	PlanCacheSize int
	// MultiFetch merges the entity fetches of one subgraph that run in the
	// same wave into one request with aliased _entities fields: fewer
	// subgraph round trips, at the price of a newer graphql-go-tools stage.
	MultiFetch bool
	// MaxCachedVariablesBytes skips the operation cache for requests with
	// larger variables, which are unlikely to repeat (default 4096).
	MaxCachedVariablesBytes int
	// Authorization enforces the supergraph's @authenticated,
	// @requiresScopes and @policy (when Directives is set) and
	// require_authentication; the zero value enforces nothing.
	Authorization authz.Config
	// DemandControl estimates each operation's cost from the supergraph's
	// @cost/@listSize, reports it in extensions.cost and, in enforce mode,
	// refuses operations above the maximum (nil: off; demand.go).
	DemandControl *DemandControl
	// Override decides the active progressive @override labels of each
	// request (override.go).
	Override OverrideOptions
	// Logger receives load-time warnings (nil: none).
	Logger *slog.Logger
}

// Engine executes operations; it is safe for concurrent use.
type Engine struct {
	opts       Options
	client     *ast.Document
	router     *ast.Document
	planConfig plan.Configuration
	// factory serves every data source, of every supergraph variant.
	factory *graphql_datasource.Factory[graphql_datasource.Configuration]
	// override is nil when the supergraph has no override labels (override.go).
	override *overrides
	resolver *resolve.Resolver
	headers  headerForwarder
	kits     sync.Pool
	ops      *lru[*prepared]
	docs     *lru[*conditions]
	norms    *lru[*normalized]
	// normalizations counts documents parsed, normalized and validated
	// (operation-cache misses other than new variable values).
	normalizations atomic.Int64
	// plannings counts operations planned (plan-cache misses).
	plannings atomic.Int64
	inbound   inboundFlights
	// inboundShared counts responses copied from an identical request in flight.
	inboundShared atomic.Int64
	plans         *lru[*cachedPlan]
	planFlight    singleflight.Group
	subgraphURLs  map[string]string
	keys          entityKeys
	// authz is nil when authorization has nothing to do (authorize.go).
	authz *authz.Authorizer
	views *lru[*authzView]
	// demand is nil when demand control is off (demand.go).
	demand *demand
	// contexts rewrites operations for context arguments; nil when the
	// supergraph has none (context_rewrite.go).
	contexts *contextRewriter
}

// New parses the supergraph and builds the engine. ctx bounds the lifetime
// of the resolver and of subgraph connections.
func New(ctx context.Context, o Options) (e *Engine, err error) {
	// A malformed supergraph must fail the load (and, on hot reload, keep
	// the old graph serving), never take the process down.
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("new engine: supergraph not supported: %v", r)
		}
	}()
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = 1024
	}
	if o.OperationCacheSize <= 0 {
		o.OperationCacheSize = 1024
	}
	if o.PlanCacheSize <= 0 {
		o.PlanCacheSize = 1024
	}
	if o.MaxCachedVariablesBytes <= 0 {
		o.MaxCachedVariablesBytes = 4096
	}
	sg, err := supergraph.Parse(o.SupergraphSDL)
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	e = &Engine{
		opts:         o,
		headers:      newHeaderForwarder(o.ForwardHeaders, o.HeaderSubgraphs),
		ops:          newLRU[*prepared](o.OperationCacheSize),
		docs:         newLRU[*conditions](o.OperationCacheSize),
		norms:        newLRU[*normalized](o.OperationCacheSize),
		plans:        newLRU[*cachedPlan](o.PlanCacheSize),
		subgraphURLs: map[string]string{},
		keys:         entityKeys{},
	}
	if a := authz.New(sg.AccessRules(), o.Authorization, o.Logger); a.Filters() || a.RequireAuthentication() {
		e.authz, e.views = a, newLRU[*authzView](o.OperationCacheSize)
	}
	if e.demand, err = newDemand(o.DemandControl, o.SupergraphSDL); err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	if e.client, err = parseSchema(sg.ClientSchema()); err != nil {
		return nil, fmt.Errorf("new engine: client schema: %w", err)
	}
	if e.router, err = parseSchema(sg.RouterSchema()); err != nil {
		return nil, fmt.Errorf("new engine: router schema: %w", err)
	}
	if err := e.buildPlanConfig(ctx, sg); err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	e.override = newOverrides(o.Override, o.SupergraphSDL, sg)
	if c := sg.Contexts(); !c.Empty() {
		if e.contexts, err = newContextRewriter(sg.RouterSchema(), c); err != nil {
			return nil, fmt.Errorf("new engine: %w", err)
		}
	}
	for header, names := range o.HeaderSubgraphs {
		for _, name := range names {
			if _, ok := e.subgraphURLs[name]; !ok {
				return nil, fmt.Errorf("new engine: header %s is forwarded to subgraph %q, which the supergraph does not have", header, name)
			}
		}
	}
	e.resolver = resolve.New(ctx, resolve.ResolverOptions{
		MaxConcurrency:                         o.MaxConcurrency,
		PropagateSubgraphErrors:                true,
		SubgraphErrorPropagationMode:           resolve.SubgraphErrorPropagationModePassThrough,
		RewriteSubgraphErrorPaths:              false,
		AllowAllErrorExtensionFields:           true,
		AllowCustomExtensionProperties:         true,
		MaxRecyclableParserSize:                32 * 1024,
		SetDeduplicationShardCountToGOMAXPROCS: true,
		AttachServiceNameToErrorExtensions:     true,
		DefaultErrorExtensionCode:              "DOWNSTREAM_SERVICE_ERROR",
	})
	return e, nil
}

func parseSchema(sdl string) (*ast.Document, error) {
	doc, report := astparser.ParseGraphqlDocumentString(sdl)
	if report.HasErrors() {
		return nil, fmt.Errorf("parse: %w", report)
	}
	if err := asttransform.MergeDefinitionWithBaseSchema(&doc); err != nil {
		return nil, fmt.Errorf("merge base schema: %w", err)
	}
	return &doc, nil
}

func (e *Engine) buildPlanConfig(ctx context.Context, sg *supergraph.Supergraph) error {
	httpClient := newHTTPClient(e.opts.HTTP)
	factory, err := graphql_datasource.NewFactory(ctx, httpClient, graphql_datasource.NewGraphQLSubscriptionClient(ctx))
	if err != nil {
		return fmt.Errorf("datasource factory: %w", err)
	}
	e.factory = factory
	cfg, err := e.planConfigOf(sg, true)
	if err != nil {
		return err
	}
	e.planConfig = cfg
	return nil
}

// planConfigOf builds the planner configuration of one variant of the
// supergraph (override.go builds one per set of active override labels);
// record notes each subgraph's URL and entity keys for the engine.
func (e *Engine) planConfigOf(sg *supergraph.Supergraph, record bool) (plan.Configuration, error) {
	subgraphs, err := sg.Subgraphs()
	if err != nil {
		return plan.Configuration{}, err
	}
	factory := e.factory
	cfg := plan.Configuration{Fields: sg.FieldConfigurations(), EnableMultiFetch: e.opts.MultiFetch}
	// The planner picks the first candidate subgraph for some fields (e.g.
	// __typename under a fragment); subgraphs that know an interface's
	// concrete types (entity interfaces) go first so that such choices land
	// where the runtime type is known.
	sort.SliceStable(subgraphs, func(i, j int) bool {
		return len(subgraphs[i].Metadata.EntityInterfaces) > 0 && len(subgraphs[j].Metadata.EntityInterfaces) == 0
	})
	for i, s := range subgraphs {
		url := s.URL
		if u, ok := e.opts.SubgraphURLs[s.Name]; ok && u != "" {
			url = u
		}
		if record {
			e.subgraphURLs[s.Name] = url
			e.keys.add(s.Name, s.Metadata)
		}
		schemaCfg, err := graphql_datasource.NewSchemaConfiguration(s.SDL, &graphql_datasource.FederationConfiguration{Enabled: true, ServiceSDL: s.SDL})
		if err != nil {
			return cfg, fmt.Errorf("subgraph %s: schema: %w", s.Name, err)
		}
		dsCfg, err := graphql_datasource.NewConfiguration(graphql_datasource.ConfigurationInput{
			Fetch: &graphql_datasource.FetchConfiguration{URL: url, Method: http.MethodPost},
			// Subscriptions reach the subgraph over WebSocket at the same URL
			// (graphql-transport-ws or graphql-ws, negotiated); see subscribe.go.
			Subscription:        &graphql_datasource.SubscriptionConfiguration{URL: url},
			SchemaConfiguration: schemaCfg,
		})
		if err != nil {
			return cfg, fmt.Errorf("subgraph %s: configuration: %w", s.Name, err)
		}
		id := fmt.Sprintf("%d-%s", i, s.Name)
		if s.ContextOnly {
			id = ctxSourcePrefix + id
		}
		ds, err := plan.NewDataSourceConfigurationWithName(id, s.Name, factory, s.Metadata, dsCfg)
		if err != nil {
			return cfg, fmt.Errorf("subgraph %s: data source: %w", s.Name, err)
		}
		cfg.DataSources = append(cfg.DataSources, ds)
	}
	intro, err := introspection_datasource.NewIntrospectionConfigFactory(e.client)
	if err != nil {
		return cfg, fmt.Errorf("introspection: %w", err)
	}
	cfg.Fields = append(cfg.Fields, intro.BuildFieldConfigurations()...)
	cfg.DataSources = append(cfg.DataSources, intro.BuildDataSourceConfigurations()...)
	return cfg, nil
}

// SubgraphURLs returns the URL each subgraph is called at, by subgraph name.
func (e *Engine) SubgraphURLs() map[string]string {
	out := make(map[string]string, len(e.subgraphURLs))
	for k, v := range e.subgraphURLs {
		out[k] = v
	}
	return out
}

// ClientSchema returns the parsed API schema (for tests and tooling).
func (e *Engine) ClientSchema() *ast.Document { return e.client }

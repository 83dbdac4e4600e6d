// Package gqlguard bounds the work one GraphQL operation can cost a
// gqlgen server: it refuses documents that are too deep, too wide or
// repeat a field too often before gqlparser validates them (validation of
// repeated fields is quadratic: 10,000 `__typename` take 20 seconds), it
// limits gqlgen's complexity with list sizes counted, caps subscriptions
// per process and per client address, and switches introspection on or
// off without touching federation's `_service { sdl }`.
//
// One Guard serves one handler.Server:
//
//	g := gqlguard.New(limits)
//	srv := handler.New(gqlguard.Schema(generated.NewExecutableSchema(cfg)))
//	srv.AddTransport(g.Websocket()) // when the server has subscriptions
//	srv.AddTransport(transport.POST{})
//	g.Install(srv)                  // after extensions that rewrite the query (APQ)
//	http.Handle("/graphql", g.Handler(srv))
//
// The HTTP side (body size, slow clients, connection caps) is
// platform/httpguard.
package gqlguard

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/httpguard"
)

// Extension codes of refused operations, one per rule. The first five are
// the router's (router/internal/limits), so a client reads the same code
// whether the router or a subgraph refused it.
const (
	CodeMaxDepth              = "MAX_DEPTH_LIMIT"
	CodeMaxAliases            = "MAX_ALIASES_LIMIT"
	CodeMaxRootFields         = "MAX_ROOT_FIELDS_LIMIT"
	CodeMaxTokens             = "MAX_TOKENS_LIMIT"
	CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"
	CodeMaxFields             = "MAX_FIELDS_LIMIT"
	CodeMaxFieldRepeats       = "MAX_FIELD_REPEATS_LIMIT"
	// CodeComplexity is gqlgen's code for extension.ComplexityLimit.
	CodeComplexity  = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeTooManySubs = "TOO_MANY_SUBSCRIPTIONS"
	CodeBadRequest  = httpguard.CodeBadRequest
)

// queryCacheSize is how many validated documents a server keeps.
const queryCacheSize = 1000

// Limits of one GraphQL server. A zero count disables its limit.
type Limits struct {
	// Introspection allows __schema and __type. `_service { sdl }` is
	// always allowed: composition and the router need it.
	Introspection bool
	// MaxDepth bounds field nesting (a root field has depth 1).
	MaxDepth int
	// MaxAliases bounds aliased fields, fragments expanded.
	MaxAliases int
	// MaxRootFields bounds the fields selected on the root type.
	MaxRootFields int
	// MaxTokens bounds the lexical tokens of the document; parsing stops
	// there.
	MaxTokens int
	// MaxFields bounds the field selections with every fragment spread
	// expanded (and, separately, the expanded fragments).
	MaxFields int
	// MaxFieldRepeats bounds how often one response field (same place in
	// the result) is selected, fragments expanded; validation compares
	// each pair of them.
	MaxFieldRepeats int
	// MaxComplexity bounds gqlgen's complexity: each field costs 1 plus
	// its selection, times the list size for list fields (see Schema and
	// List).
	MaxComplexity int
	// MaxSubscriptions and MaxSubscriptionsPerAddr bound the subscriptions
	// running at once, in the process and per client address (TCP peer).
	MaxSubscriptions, MaxSubscriptionsPerAddr int
	// WSInitTimeout closes a WebSocket that sends no connection_init;
	// WSKeepAlive is the interval of the server's keep-alive messages.
	WSInitTimeout, WSKeepAlive time.Duration
}

// DefaultLimits returns the defaults: every operation of the shop (its
// tests, seeds, load generator and the router's entity batches) passes.
// Introspection is on, as outside production.
func DefaultLimits() Limits {
	return Limits{
		Introspection:           true,
		MaxDepth:                64,
		MaxAliases:              1000,
		MaxRootFields:           500,
		MaxTokens:               30_000,
		MaxFields:               5000,
		MaxFieldRepeats:         20,
		MaxComplexity:           200_000,
		MaxSubscriptions:        4000,
		MaxSubscriptionsPerAddr: 1000,
		WSInitTimeout:           10 * time.Second,
		WSKeepAlive:             10 * time.Second,
	}
}

// Load reads the limits from env, recording problems on it. Introspection
// defaults to off in production.
//
//	GRAPHQL_INTROSPECTION                true|false (default: false when SHOP_ENV=production)
//	GRAPHQL_MAX_DEPTH                    64
//	GRAPHQL_MAX_ALIASES                  1000
//	GRAPHQL_MAX_ROOT_FIELDS              500
//	GRAPHQL_MAX_TOKENS                   30000
//	GRAPHQL_MAX_FIELDS                   5000
//	GRAPHQL_MAX_FIELD_REPEATS            20
//	GRAPHQL_MAX_COMPLEXITY               200000
//	GRAPHQL_MAX_SUBSCRIPTIONS            4000
//	GRAPHQL_MAX_SUBSCRIPTIONS_PER_ADDR   1000
//	GRAPHQL_WS_INIT_TIMEOUT              10s
//	GRAPHQL_WS_KEEPALIVE                 10s
func Load(env *config.Env, production bool) Limits {
	d := DefaultLimits()
	l := Limits{
		Introspection:           env.Bool("GRAPHQL_INTROSPECTION", !production),
		MaxDepth:                env.Int("GRAPHQL_MAX_DEPTH", d.MaxDepth),
		MaxAliases:              env.Int("GRAPHQL_MAX_ALIASES", d.MaxAliases),
		MaxRootFields:           env.Int("GRAPHQL_MAX_ROOT_FIELDS", d.MaxRootFields),
		MaxTokens:               env.Int("GRAPHQL_MAX_TOKENS", d.MaxTokens),
		MaxFields:               env.Int("GRAPHQL_MAX_FIELDS", d.MaxFields),
		MaxFieldRepeats:         env.Int("GRAPHQL_MAX_FIELD_REPEATS", d.MaxFieldRepeats),
		MaxComplexity:           env.Int("GRAPHQL_MAX_COMPLEXITY", d.MaxComplexity),
		MaxSubscriptions:        env.Int("GRAPHQL_MAX_SUBSCRIPTIONS", d.MaxSubscriptions),
		MaxSubscriptionsPerAddr: env.Int("GRAPHQL_MAX_SUBSCRIPTIONS_PER_ADDR", d.MaxSubscriptionsPerAddr),
		WSInitTimeout:           env.Duration("GRAPHQL_WS_INIT_TIMEOUT", d.WSInitTimeout),
		WSKeepAlive:             env.Duration("GRAPHQL_WS_KEEPALIVE", d.WSKeepAlive),
	}
	for _, v := range []struct {
		name string
		v    int64
	}{
		{"GRAPHQL_MAX_DEPTH", int64(l.MaxDepth)},
		{"GRAPHQL_MAX_ALIASES", int64(l.MaxAliases)},
		{"GRAPHQL_MAX_ROOT_FIELDS", int64(l.MaxRootFields)},
		{"GRAPHQL_MAX_TOKENS", int64(l.MaxTokens)},
		{"GRAPHQL_MAX_FIELDS", int64(l.MaxFields)},
		{"GRAPHQL_MAX_FIELD_REPEATS", int64(l.MaxFieldRepeats)},
		{"GRAPHQL_MAX_COMPLEXITY", int64(l.MaxComplexity)},
		{"GRAPHQL_MAX_SUBSCRIPTIONS", int64(l.MaxSubscriptions)},
		{"GRAPHQL_MAX_SUBSCRIPTIONS_PER_ADDR", int64(l.MaxSubscriptionsPerAddr)},
		{"GRAPHQL_WS_INIT_TIMEOUT", int64(l.WSInitTimeout)},
		{"GRAPHQL_WS_KEEPALIVE", int64(l.WSKeepAlive)},
	} {
		if v.v < 0 {
			env.Problem("%s must not be negative (0 disables the limit)", v.name)
		}
	}
	return l
}

// Guard applies Limits to one gqlgen server. It is a gqlgen extension:
// it parses each new document once, refuses it over a limit, validates
// it and hands it to gqlgen through the query cache, so gqlgen neither
// parses nor validates it again; documents in the cache passed already.
type Guard struct {
	limits Limits
	cache  *lru.LRU[*ast.QueryDocument]
	schema *ast.Schema
	subs   *httpguard.Slots

	parsed, refused, validated atomic.Int64
}

// Stats counts the work the guard did: documents parsed (cache misses),
// refused over a limit, and validated.
type Stats struct {
	Parsed, Refused, Validated int64
}

// Stats returns the counts so far (metrics, tests).
func (g *Guard) Stats() Stats {
	return Stats{Parsed: g.parsed.Load(), Refused: g.refused.Load(), Validated: g.validated.Load()}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.OperationInterceptor
} = (*Guard)(nil)

// New returns a guard applying l.
func New(l Limits) *Guard {
	return &Guard{
		limits: l,
		cache:  lru.New[*ast.QueryDocument](queryCacheSize),
		subs:   httpguard.NewSlots(l.MaxSubscriptions, l.MaxSubscriptionsPerAddr),
	}
}

// Install puts g in front of srv's parser and validator and sets what
// goes with it: the query cache g shares with gqlgen, the token limit,
// the complexity limit and an error presenter that keeps messages short
// (use Present to wrap a presenter of your own, after Install). Install
// after extensions that rewrite the query (automatic persisted queries),
// so that g sees the query they restore.
func (g *Guard) Install(srv *handler.Server) {
	srv.SetQueryCache(g.cache)
	srv.SetParserTokenLimit(g.limits.MaxTokens)
	srv.SetValidationRulesFn(rules.NewDefaultRules)
	srv.SetErrorPresenter(Present(graphql.DefaultErrorPresenter))
	srv.Use(g)
	if g.limits.MaxComplexity > 0 {
		srv.Use(extension.FixedComplexityLimit(g.limits.MaxComplexity))
	}
}

// Websocket returns gqlgen's WebSocket transport with the connection_init
// timeout and keep-alive of the limits.
func (g *Guard) Websocket() transport.Websocket {
	return transport.Websocket{InitTimeout: g.limits.WSInitTimeout, KeepAlivePingInterval: g.limits.WSKeepAlive}
}

// Subscriptions returns the subscription accounting (metrics, tests).
func (g *Guard) Subscriptions() *httpguard.Slots { return g.subs }

// ExtensionName names the extension in gqlgen's list.
func (g *Guard) ExtensionName() string { return "OperationLimits" }

// Validate keeps the schema documents are validated against.
func (g *Guard) Validate(es graphql.ExecutableSchema) error {
	g.schema = es.Schema()
	return nil
}

// MutateOperationParameters parses, checks and validates a document the
// cache does not hold. A document over a limit is refused here, before
// validation; a valid one goes into the cache for gqlgen to take; one
// that does not parse or validate is left to gqlgen, which reports its
// errors (parsing and validating it again, within the limits).
func (g *Guard) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if _, ok := g.cache.Get(ctx, params.Query); ok {
		return nil
	}
	g.parsed.Add(1)
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, g.limits.MaxTokens)
	if err != nil {
		if g.limits.MaxTokens > 0 && tokenLimitError(err) {
			g.refused.Add(1)
			return refuse(CodeMaxTokens, "the operation has more than %d tokens", g.limits.MaxTokens)
		}
		return nil
	}
	if e := g.limits.check(doc); e != nil {
		g.refused.Add(1)
		return e
	}
	if len(doc.Operations) == 0 {
		return nil
	}
	g.validated.Add(1)
	if errs := validator.ValidateWithRules(g.schema, doc, rules.NewDefaultRules()); len(errs) == 0 {
		g.cache.Add(ctx, params.Query, doc)
	}
	return nil
}

// MutateOperationContext lets generated code resolve `_service` and the
// introspection fields: whether introspection is allowed was decided
// before validation (gqlgen's own switch would refuse `_service` too).
func (g *Guard) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	opCtx.DisableIntrospection = false
	return nil
}

// InterceptOperation holds a subscription slot for the life of each
// subscription that does not hold one already (SSE requests take theirs
// in Handler), refusing the subscription when none is free.
func (g *Guard) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx.Operation == nil || opCtx.Operation.Operation != ast.Subscription || holdsSlot(ctx) {
		return next(ctx)
	}
	release, err := g.subs.Acquire(peer(ctx))
	if err != nil {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{subsError(err)}})
	}
	context.AfterFunc(ctx, release)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := responses(ctx)
		if r == nil {
			release()
		}
		return r
	}
}

func subsError(err error) *gqlerror.Error {
	if errors.Is(err, httpguard.ErrAddrFull) {
		return refuse(CodeTooManySubs, "too many subscriptions from your address; end some and retry")
	}
	return refuse(CodeTooManySubs, "the server is at its subscription limit; retry shortly")
}

func tokenLimitError(err error) bool {
	var ge *gqlerror.Error
	return errors.As(err, &ge) && strings.HasPrefix(ge.Message, tokenLimitPrefix)
}

// tokenLimitPrefix starts gqlparser's error for a document over the token
// limit (TestTokenLimitMessage pins it).
const tokenLimitPrefix = "exceeded token limit of "

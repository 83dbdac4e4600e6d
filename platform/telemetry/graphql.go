package telemetry

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL is a gqlgen extension (install it with srv.Use) that records a
// span per GraphQL operation, named "query Products" as the semantic
// conventions say, with graphql.operation.type and graphql.operation.name;
// the resolvers' database, cache and HTTP spans become its children. It
// also labels the request's http.server.request.duration with the
// operation's type and name (names are capped, see maxOperationNames).
func (t *Telemetry) GraphQL() graphql.HandlerExtension { return graphqlTracer{t: t} }

type graphqlTracer struct{ t *Telemetry }

var (
	_ graphql.OperationInterceptor = graphqlTracer{}
	_ graphql.ResponseInterceptor  = graphqlTracer{}
)

func (graphqlTracer) ExtensionName() string                   { return "OpenTelemetry" }
func (graphqlTracer) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation labels the request's HTTP metrics once per operation
// (a subscription answers many times).
func (g graphqlTracer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if typ, name, ok := operation(ctx); ok {
		if l, found := otelhttp.LabelerFromContext(ctx); found {
			l.Add(semconv.GraphQLOperationTypeKey.String(typ), semconv.GraphQLOperationName(g.t.opNames.label(name)))
		}
	}
	return next(ctx)
}

// InterceptResponse wraps the execution of each response in a span.
func (g graphqlTracer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	typ, name, ok := operation(ctx)
	if !ok {
		return next(ctx)
	}
	spanName := typ
	attrs := []attribute.KeyValue{semconv.GraphQLOperationTypeKey.String(typ)}
	if name != "" {
		spanName += " " + name
		attrs = append(attrs, semconv.GraphQLOperationName(name))
	}
	ctx, span := g.t.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	defer span.End()
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
		span.SetStatus(codes.Error, resp.Errors[0].Message)
	}
	return resp
}

// operation returns the type and name of the operation being executed.
func operation(ctx context.Context) (typ, name string, ok bool) {
	if !graphql.HasOperationContext(ctx) {
		return "", "", false
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return "", "", false
	}
	typ = string(oc.Operation.Operation)
	if typ == "" {
		typ = string(ast.Query)
	}
	return typ, oc.Operation.Name, true
}

// maxOperationNames bounds the distinct operation names used as metric
// attributes: names come from clients, and every name is a new series.
const maxOperationNames = 1000

// nameCap passes the first max distinct names through, reports later ones
// as "other" and unnamed operations as "anonymous".
type nameCap struct {
	max   int
	mu    sync.RWMutex
	names map[string]struct{}
}

func newNameCap(maxNames int) *nameCap {
	return &nameCap{max: maxNames, names: map[string]struct{}{}}
}

func (c *nameCap) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	c.mu.RLock()
	_, known := c.names[name]
	c.mu.RUnlock()
	if known {
		return name
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.names[name]; known {
		return name
	}
	if len(c.names) >= c.max {
		return "other"
	}
	c.names[name] = struct{}{}
	return name
}

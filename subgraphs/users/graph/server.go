package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/subgraphs/users/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// NewHandler returns the GraphQL HTTP handler (POST and GET) of the users
// subgraph behind the operation limits of l (platform/gqlguard): depth,
// fields, complexity, and introspection as l allows; `_service { sdl }`
// stays on for the router and compose. Request bodies are bounded by the
// HTTP server (platform/httpguard). Callers put an auth.Principal in the
// request context (auth.Authenticator.Middleware). The extensions (e.g.
// tracing) are installed as well.
func NewHandler(svc *accounts.Service, log *slog.Logger, l gqlguard.Limits, exts ...graphql.HandlerExtension) http.Handler {
	r := &Resolver{Accounts: svc, Log: log}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: r, Complexity: Complexity()})
	srv := handler.New(gqlguard.Schema(es))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	for _, e := range exts {
		srv.Use(e)
	}
	guard := gqlguard.New(l)
	guard.Install(srv)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", p)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	})
	return guard.Handler(srv)
}

package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/subgraphs/users/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// MaxBodyBytes bounds a GraphQL request body.
const MaxBodyBytes = 1 << 20

// NewHandler returns the GraphQL HTTP handler (POST and GET) of the users
// subgraph. Introspection stays on: the router and compose read the SDL
// through `_service { sdl }`, which gqlgen refuses without it. Callers put
// an auth.Principal in the request context (auth.Authenticator.Middleware).
func NewHandler(svc *accounts.Service, log *slog.Logger) http.Handler {
	r := &Resolver{Accounts: svc, Log: log}
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", p)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req.Body = http.MaxBytesReader(w, req.Body, MaxBodyBytes)
		srv.ServeHTTP(w, req)
	})
}

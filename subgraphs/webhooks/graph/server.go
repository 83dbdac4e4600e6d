package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

// NewHandler returns the GraphQL HTTP handler (POST and GET) of the
// webhooks subgraph behind the operation limits of l (platform/gqlguard);
// `_service { sdl }` stays on for the router and compose. Callers put an
// auth.Principal in the request context (auth.Authenticator.Middleware).
// The extensions (e.g. tracing) are installed as well.
func NewHandler(svc *webhooks.Service, log *slog.Logger, l gqlguard.Limits, exts ...graphql.HandlerExtension) http.Handler {
	r := &Resolver{Service: svc, Log: log}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: r})
	srv := handler.New(gqlguard.Schema(es))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	for _, e := range exts {
		srv.Use(e)
	}
	guard := gqlguard.New(l)
	guard.Install(srv)
	srv.SetErrorPresenter(gqlguard.Present(presenter(log)))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", p)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	})
	return guard.Handler(srv)
}

// presenter passes errors that carry extensions.code (and the client's
// parse and validation errors) through and hides the text of every other
// error behind a generic internal error, logging the original.
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var ge *gqlerror.Error
		if errors.As(err, &ge) && (ge.Extensions["code"] != nil || ge.Rule != "" || ge.Err == nil) {
			if ge.Err != nil {
				log.WarnContext(ctx, "graphql resolver", "code", ge.Extensions["code"], "err", ge.Err)
			}
			return graphql.DefaultErrorPresenter(ctx, err)
		}
		log.ErrorContext(ctx, "graphql resolver failed", "err", err)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	}
}

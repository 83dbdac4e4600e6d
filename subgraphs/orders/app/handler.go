package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/httpx"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/playground"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph/generated"
)

// buildHandler assembles the HTTP routes. The GraphQL server runs behind
// the operation limits of the configuration (platform/gqlguard).
func (a *App) buildHandler() (http.Handler, error) {
	es := generated.NewExecutableSchema(generated.Config{
		Resolvers:  &graph.Resolver{Service: a.svc, Carts: a.cart, Currency: a.cfg.Currency},
		Complexity: graph.Complexity(),
	})
	srv := handler.New(gqlguard.Schema(es))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.Use(a.tel.GraphQL())
	guard := gqlguard.New(a.cfg.GraphQL)
	guard.Install(srv)
	srv.AroundOperations(graph.WithHistories)
	srv.AroundResponses(readbudget.Middleware(a.cfg.ReadBudget, a.cfg.AdminReadBudget))
	srv.SetErrorPresenter(gqlguard.Present(a.presentError))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		a.log.Error("resolver panic", "panic", v)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", a.authenticator().Middleware(guard.Handler(srv)))
	pg, err := playground.Handler(playground.Options{Title: "Shop orders", Endpoint: "/graphql"})
	if err != nil {
		return nil, err
	}
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET "+playground.AssetPrefix, pg)
	return a.tel.Handler(httpx.WithHealth(mux, a.drain.Check(), httpx.Check{Name: "mongo", Run: func(ctx context.Context) error { return mongox.Ping(ctx, a.db) }})), nil
}

// presentError passes errors that carry extensions.code through and hides
// the text of every other error (driver errors, bugs) behind a generic
// internal error, logging the original.
//
// Database outages are SERVICE_UNAVAILABLE, not internal errors: resolvers
// say so with advice (logged here with their cause), and any database
// failure that reaches this presenter unmapped gets a generic answer.
func (a *App) presentError(ctx context.Context, err error) *gqlerror.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) && (ge.Extensions["code"] != nil || ge.Rule != "") {
		if ge.Extensions["code"] == gqlerr.Unavailable && ge.Err != nil {
			a.log.Warn("graphql resolver unavailable", "path", pathOf(ctx), "err", ge.Err)
		}
		return graphql.DefaultErrorPresenter(ctx, err)
	}
	if mongox.IsUnavailable(err) {
		a.log.Warn("graphql resolver unavailable", "path", pathOf(ctx), "err", err)
		return gqlerr.New(ctx, gqlerr.Unavailable, "the orders database is unavailable; try again shortly", nil)
	}
	if errors.As(err, &ge) && ge.Err == nil {
		// Parse and validation errors carry no wrapped cause; they are the client's.
		return graphql.DefaultErrorPresenter(ctx, err)
	}
	a.log.Error("graphql resolver failed", "err", err)
	return gqlerr.New(ctx, gqlerr.Internal, fmt.Sprintf("internal error in %s", pathOf(ctx)), nil)
}

func pathOf(ctx context.Context) string {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Path().String()
	}
	return "request"
}

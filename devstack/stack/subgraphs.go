package stack

import (
	"context"
	"log/slog"
	"net"

	"github.com/shopsupergraph/shop/platform/config"
	ordersapp "github.com/shopsupergraph/shop/subgraphs/orders/app"
	productsapp "github.com/shopsupergraph/shop/subgraphs/products/app"
	usersapp "github.com/shopsupergraph/shop/subgraphs/users/app"
	webhooksapp "github.com/shopsupergraph/shop/subgraphs/webhooks/app"
)

// Subgraph is one subgraph the stack runs: everything the stack needs to
// know about it, so adding a subgraph is adding a row to Subgraphs
// (`make subgraph NAME=...` does that).
type Subgraph struct {
	// Name is the subgraph's name in supergraph.yaml and the supergraph.
	Name string
	// Addr is the default listen address of `make run` (the port of its
	// routing_url in supergraph.yaml).
	Addr string
	// InternalURLEnv, when set, is the variable through which the other
	// services call this one's internal REST API (e.g. orders reserves
	// stock at PRODUCTS_INTERNAL_URL); the stack sets it to this
	// subgraph's address before any subgraph starts.
	InternalURLEnv string
	// ClientAddress says the router forwards the client's address to this
	// subgraph (X-Forwarded-For), as in docker-compose.yml.
	ClientAddress bool
	// New builds the service from its environment.
	New func(ctx context.Context, env *config.Env, log *slog.Logger) (Server, error)
}

// Server is a built subgraph service: it serves on ln until ctx ends.
type Server interface {
	Serve(ctx context.Context, ln net.Listener) error
}

// Subgraphs lists the subgraphs the stack runs, in start order: a service
// whose internal API another one calls comes first.
func Subgraphs() []Subgraph {
	return []Subgraph{
		{Name: "users", Addr: ":4001", InternalURLEnv: "USERS_INTERNAL_URL", ClientAddress: true, New: app(usersapp.LoadConfig, usersapp.New)},
		{Name: "products", Addr: ":4002", InternalURLEnv: "PRODUCTS_INTERNAL_URL", New: app(productsapp.LoadConfig, productsapp.New)},
		{Name: "orders", Addr: ":4003", New: app(ordersapp.LoadConfig, ordersapp.New)},
		{Name: "webhooks", Addr: ":4004", New: app(webhooksapp.LoadConfig, webhooksapp.New)},
	}
}

// app adapts a subgraph's app package (LoadConfig, New and App.Serve, the
// shape every subgraph shares) to Subgraph.New.
func app[C any, A Server](load func(*config.Env) (C, error), build func(context.Context, C, *slog.Logger) (A, error)) func(context.Context, *config.Env, *slog.Logger) (Server, error) {
	return func(ctx context.Context, env *config.Env, log *slog.Logger) (Server, error) {
		cfg, err := load(env)
		if err != nil {
			return nil, err
		}
		a, err := build(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		return a, nil
	}
}

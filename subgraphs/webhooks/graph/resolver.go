// Package graph is the GraphQL layer of the webhooks subgraph: resolvers
// translate between the schema's models and the webhooks domain and map its
// errors to extensions.code; graph/generated is gqlgen's.
package graph

import (
	"log/slog"

	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Service *webhooks.Service
	Log     *slog.Logger
}

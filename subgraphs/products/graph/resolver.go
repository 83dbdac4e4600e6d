// Package graph holds the products subgraph's resolvers. They translate
// between GraphQL and the catalog service and map domain errors to error
// codes; the rules live in internal/catalog.
package graph

import (
	"log/slog"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/live"
)

// Resolver is the root resolver; it carries the dependencies only.
type Resolver struct {
	Catalog *catalog.Service
	Live    *live.Hub
	Log     *slog.Logger
}

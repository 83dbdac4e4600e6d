// Package graph holds the products subgraph's resolvers. They translate
// between GraphQL and the catalog and inventory services and map domain
// errors to error codes; the rules live in internal/catalog (product data)
// and internal/inventory (stock).
package graph

import (
	"log/slog"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/live"
)

// Resolver is the root resolver; it carries the dependencies only.
type Resolver struct {
	Catalog *catalog.Service
	Tree    *catalog.CategoryService
	// Currency is the ISO 4217 code of every Money returned.
	Currency  string
	Inventory *inventory.Service
	Live      *live.Hub
	Log       *slog.Logger
}

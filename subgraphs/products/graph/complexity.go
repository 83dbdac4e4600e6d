package graph

import (
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/subgraphs/products/graph/generated"
)

// Complexity prices the products schema's list fields for gqlgen's
// complexity limit: each returns `take` items (20 by default, at most
// 100, as the schema documents), each costing its selection.
func Complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	page := func(child int, take *int) int { return gqlguard.List(child, gqlguard.Take(take, 20, 100)) }
	c.Query.Products = func(child int, _, take *int, _ *string) int { return page(child, take) }
	c.Query.InventoryLedger = func(child int, _ string, _, take *int) int { return page(child, take) }
	c.Product.Movements = func(child int, _, take *int) int { return page(child, take) }
	return c
}

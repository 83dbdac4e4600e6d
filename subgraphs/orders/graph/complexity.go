package graph

import (
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Complexity prices the orders schema's list fields for gqlgen's
// complexity limit at the most they return: order lists stop at
// ordering.MaxList orders, orders and carts at ordering.MaxLines lines.
func Complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	orders := func(child int) int { return gqlguard.List(child, ordering.MaxList) }
	lines := func(child int) int { return gqlguard.List(child, ordering.MaxLines) }
	c.Query.Orders = orders
	c.User.Orders = orders
	c.Order.Products = lines
	c.Cart.Lines = lines
	return c
}

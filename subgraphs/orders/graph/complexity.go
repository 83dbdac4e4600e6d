package graph

import (
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Assumed sizes of the lists that take no size argument, as GraphQL cost
// analysis usually prices them (an expected size rather than the cap).
// The caps, ordering.MaxList orders of ordering.MaxLines lines, would price
// twenty users' order histories, one entity batch of the router, at over
// a million and refuse reads the shop makes; nesting (orders, their user,
// that user's orders) still multiplies.
const (
	assumedOrders = 50
	assumedLines  = 10
)

// Complexity prices the orders schema's list fields for gqlgen's
// complexity limit: order lists at assumedOrders, an order's lines at
// assumedLines, a cart's lines at their cap (one cart never multiplies).
func Complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	orders := func(child int) int { return gqlguard.List(child, assumedOrders) }
	c.Query.Orders = orders
	c.User.Orders = orders
	c.Order.Products = func(child int) int { return gqlguard.List(child, assumedLines) }
	c.Cart.Lines = func(child int) int { return gqlguard.List(child, ordering.MaxLines) }
	return c
}

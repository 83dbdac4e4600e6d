// Package graph holds the orders subgraph's resolvers. They translate
// between GraphQL and the ordering domain only: authentication comes from
// the request's principal, every rule lives in internal/ordering.
package graph

import (
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Service *ordering.Service
	Carts   *cart.Service
	// Currency is the shop's ISO 4217 code, given with every Money.
	Currency string
}

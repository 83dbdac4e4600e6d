// Package orders is the orders subgraph: order placement with a stock
// reservation saga against the products service, cancellation and history.
package orders

//go:generate go run github.com/99designs/gqlgen generate

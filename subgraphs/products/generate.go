// Package products is the products subgraph: the catalog, the inventory
// ledger that prevents overselling, the internal reservation API used by the
// orders service, the Redis cache and live inventory updates. The code lives
// in app/, graph/ and internal/; this file only drives code generation.
package products

//go:generate go run github.com/99designs/gqlgen generate

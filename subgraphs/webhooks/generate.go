// Package webhooks is the webhooks subgraph: webhooks of products, stored in
// its own MongoDB database, and the webhooks field it adds to the federated
// Product. The code lives in app/, graph/ and internal/; this file only
// drives code generation.
package webhooks

//go:generate go run github.com/99designs/gqlgen generate

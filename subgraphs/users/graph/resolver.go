// Package graph holds the users subgraph's resolvers. They translate between
// GraphQL and the accounts service and map domain errors to error codes; the
// rules live in internal/accounts.
package graph

import (
	"log/slog"

	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// Resolver is the root resolver; it carries the dependencies only.
type Resolver struct {
	Accounts *accounts.Service
	Log      *slog.Logger
}

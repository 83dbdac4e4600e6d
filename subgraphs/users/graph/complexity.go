package graph

import (
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/subgraphs/users/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/users/graph/model"
)

// Complexity prices the users schema's list fields for gqlgen's
// complexity limit: `users` returns `take` users (20 by default, at most
// 100, as the schema documents), each costing its selection.
func Complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	c.Query.Users = func(child int, _, take *int) int { return gqlguard.List(child, gqlguard.Take(take, 20, 100)) }
	// A page holds first or last users (20 by default, at most 100); its
	// selection counts edges and nodes alike.
	c.Query.UsersConnection = func(child int, first *int, _ *string, last *int, _ *string, _ *model.UsersFilter, _ *model.UsersSort) int {
		n := first
		if n == nil {
			n = last
		}
		return gqlguard.List(child, gqlguard.Take(n, 20, 100))
	}
	return c
}

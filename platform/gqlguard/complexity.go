package gqlguard

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"
)

// Schema wraps a generated schema so that gqlgen's complexity counts the
// selection of `_entities` once per representation: the router batches
// hundreds of entities in one call, and each is resolved. (The generated
// hook for `_entities` cannot be set from outside its package.) The
// schema's own complexity functions apply to every other field.
func Schema(es graphql.ExecutableSchema) graphql.ExecutableSchema { return entityCost{es} }

type entityCost struct{ graphql.ExecutableSchema }

// Complexity prices `_entities` as List(child, representations).
func (s entityCost) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if typeName == "Query" && field == "_entities" {
		n := 1
		switch reps := args["representations"].(type) {
		case []any:
			n = len(reps)
		case nil:
			n = 0
		}
		return List(child, n), true
	}
	return s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// List is the complexity of a list field of at most n items whose
// selection costs child each: 1 + n*child, saturating at MaxInt32.
func List(child, n int) int {
	if n <= 0 || child <= 0 {
		return 1
	}
	if child > (math.MaxInt32-1)/n {
		return math.MaxInt32
	}
	return 1 + n*child
}

// Take is the number of items a paginated list field returns at most for
// its take (first, limit) argument: def when the argument is absent,
// otherwise the argument clamped to [0, capped]. Values out of range are
// refused by the resolver; counting them at the cap keeps the estimate an
// upper bound of what runs.
func Take(take *int, def, capped int) int {
	if take == nil {
		return def
	}
	return min(max(*take, 0), capped)
}

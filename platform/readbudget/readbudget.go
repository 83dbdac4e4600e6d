// Package readbudget bounds the database reads made for one GraphQL
// response, in every subgraph. Middleware puts a budget in each response's
// context; resolvers or stores spend from it before each read on the paths
// a client can multiply (lists, histories, entity batches, carts), and a
// read beyond the budget fails with an *ExceededError instead of running.
// Writes are never cut short: mutations are charged a fixed cost by their
// resolvers and run Without a budget.
package readbudget

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
)

// CodeTooExpensive refuses a field whose database reads would exceed what
// is left of its response's read budget.
const CodeTooExpensive = "QUERY_TOO_EXPENSIVE"

// Middleware returns the response middleware (install it with
// AroundResponses) that gives every response its own budget of database
// reads: limit, or adminLimit for a request with the admin key. A query or
// mutation has one response, a subscription one per event.
func Middleware(limit, adminLimit int) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		n := limit
		if auth.FromContext(ctx).Admin {
			n = adminLimit
		}
		return next(With(ctx, n))
	}
}

// GraphQLError is e as the GraphQL error of the field being resolved:
// CodeTooExpensive with extensions budget, needed and left.
func GraphQLError(ctx context.Context, e *ExceededError) error {
	return gqlerr.New(ctx, CodeTooExpensive, e.Error(), map[string]any{"budget": e.Limit, "needed": e.Needed, "left": e.Left})
}

// Budget is one response's reads: limit in all, used so far.
type Budget struct {
	limit int64
	used  atomic.Int64
}

type key struct{}

// With returns ctx carrying a fresh budget of limit reads.
func With(ctx context.Context, limit int) context.Context {
	return context.WithValue(ctx, key{}, &Budget{limit: int64(limit)})
}

// Without returns ctx with no budget: what runs under it is not metered.
func Without(ctx context.Context) context.Context {
	return context.WithValue(ctx, key{}, (*Budget)(nil))
}

// ExceededError refuses reads that do not fit what is left of a budget.
type ExceededError struct {
	Limit, Needed, Left int
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("this request may make at most %d database reads; this step needs %d and %d are left: ask for less or split the request",
		e.Limit, e.Needed, e.Left)
}

// Spend takes n reads from ctx's budget before they are made, or returns
// an *ExceededError and takes nothing, leaving the rest to reads that
// fit. Without a budget it allows every read.
func Spend(ctx context.Context, n int) error {
	b, _ := ctx.Value(key{}).(*Budget)
	if b == nil || n <= 0 {
		return nil
	}
	for {
		used := b.used.Load()
		if used+int64(n) > b.limit {
			return &ExceededError{Limit: int(b.limit), Needed: n, Left: int(b.limit - used)}
		}
		if b.used.CompareAndSwap(used, used+int64(n)) {
			return nil
		}
	}
}

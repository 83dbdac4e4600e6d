package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/readbudget"
)

// CodeTooExpensive refuses a field whose database reads would exceed what
// is left of its request's read budget (see internal/readbudget).
const CodeTooExpensive = "QUERY_TOO_EXPENSIVE"

// Default read budgets of one response. A shopper's full history (500
// orders) takes about 1,550 reads, 2,070 at most; admins audit many
// users' histories at once.
const (
	DefaultReadBudget      = 5_000
	DefaultAdminReadBudget = 50_000
)

// mutationReads is what every mutation field is charged, whatever it
// reads (about 10 for an order, 20 for a cart change): its write runs
// without a budget, so it is never cut short halfway, while a document of
// hundreds of mutations still runs out.
const mutationReads = 25

// ReadBudget returns the response middleware (install it with
// AroundResponses) that gives every response its own budget of database
// reads: limit, or adminLimit for a request with the admin key.
func ReadBudget(limit, adminLimit int) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		n := limit
		if auth.FromContext(ctx).Admin {
			n = adminLimit
		}
		return next(readbudget.With(ctx, n))
	}
}

// startWrite charges a mutation field its fixed reads and returns the
// context its write runs in, without a budget.
func startWrite(ctx context.Context) (context.Context, error) {
	if err := readbudget.Spend(ctx, mutationReads); err != nil {
		return ctx, toGraphQL(ctx, err)
	}
	return readbudget.Without(ctx), nil
}

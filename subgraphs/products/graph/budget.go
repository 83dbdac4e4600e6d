package graph

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
)

// CodeTooExpensive refuses a field whose database reads would exceed what
// is left of its request's read budget.
const CodeTooExpensive = "QUERY_TOO_EXPENSIVE"

// Default read budgets of one response: what a shopper's page needs many
// times over (a page of 100 products costs 101 reads), while 20 aliases of
// `products(take: 100)` are refused; admins audit, so they get more.
const (
	DefaultReadBudget      = 2_000
	DefaultAdminReadBudget = 50_000
)

// Reads each field charges before it reads, at most what it makes
// (cache hits are charged as reads too). List fields charge for every
// item they may return, so the sum over a request bounds its reads
// however many aliases, list items or entity representations it has.
const (
	// productReads: the product document and its stock document.
	productReads = 2
	// ledgerHeadReads: the stock document and the probe for a newer
	// ledger entry, before the page itself (take entries).
	ledgerHeadReads = 2
	// healthReads: the two work lists inventoryHealth counts.
	healthReads = 2
)

// budget is one response's database reads: limit in all, used so far.
type budget struct {
	limit int64
	used  atomic.Int64
}

type budgetKey struct{}

// ReadBudget returns the response middleware (install it with
// AroundResponses) that gives every response its own budget of database
// reads: limit, or adminLimit for a request with the admin key. A query
// or mutation has one response, a subscription one per event.
func ReadBudget(limit, adminLimit int) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		n := limit
		if auth.FromContext(ctx).Admin {
			n = adminLimit
		}
		return next(context.WithValue(ctx, budgetKey{}, &budget{limit: int64(n)}))
	}
}

// spend takes n reads from the response's budget before they are made, or
// refuses the field with CodeTooExpensive, leaving the budget to fields
// that fit. Without a budget (the middleware not installed) it allows all.
func spend(ctx context.Context, n int) error {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil || n <= 0 {
		return nil
	}
	for {
		used := b.used.Load()
		if used+int64(n) > b.limit {
			return gqlerr.New(ctx, CodeTooExpensive,
				fmt.Sprintf("this request may make at most %d database reads; this field needs up to %d and %d are left: ask for fewer items or split the request",
					b.limit, n, b.limit-used),
				map[string]any{"budget": b.limit, "needed": n, "left": b.limit - used})
		}
		if b.used.CompareAndSwap(used, used+int64(n)) {
			return nil
		}
	}
}

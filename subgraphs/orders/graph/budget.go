package graph

import (
	"context"

	"github.com/shopsupergraph/shop/platform/readbudget"
)

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

// startWrite charges a mutation field its fixed reads and returns the
// context its write runs in, without a budget.
func startWrite(ctx context.Context) (context.Context, error) {
	if err := readbudget.Spend(ctx, mutationReads); err != nil {
		return ctx, toGraphQL(ctx, err)
	}
	return readbudget.Without(ctx), nil
}

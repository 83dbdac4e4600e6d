package graph

import (
	"context"
	"errors"

	"github.com/shopsupergraph/shop/platform/readbudget"
)

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
	// productReads: the product document, its stock document and the
	// probe of its first variant slot. A product's non-default variants
	// (three reads each: slot, document, stock) are not charged: most
	// products have none, and a product has at most 100.
	productReads = 3
	// ledgerHeadReads: the stock document and the probe for a newer
	// ledger entry, before the page itself (take entries).
	ledgerHeadReads = 2
	// healthReads: the two work lists inventoryHealth counts.
	healthReads = 2
)

// spend takes n reads from the response's budget before they are made, or
// refuses the field with readbudget.CodeTooExpensive, leaving the budget
// to fields that fit. Without a budget (the middleware not installed) it
// allows all.
func spend(ctx context.Context, n int) error {
	var e *readbudget.ExceededError
	if err := readbudget.Spend(ctx, n); errors.As(err, &e) {
		return readbudget.GraphQLError(ctx, e)
	}
	return nil
}

package graph

import (
	"context"
	"strings"

	"github.com/shopsupergraph/shop/subgraphs/products/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// ledger serves Product.movements and Query.inventoryLedger: the ledger
// names orders, their quantities and times, so only admins read it.
func (r *Resolver) ledger(ctx context.Context, productID string, skip, take *int) ([]*model.StockMovement, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	s, t, err := input.Page(skip, take)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	if err := spend(ctx, ledgerHeadReads+t); err != nil {
		return nil, err
	}
	ms, err := r.Inventory.Movements(ctx, productID, s, t)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	return toMovements(ms), nil
}

func normalizeID(id string) string { return strings.ToLower(id) }

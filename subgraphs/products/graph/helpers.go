package graph

import (
	"context"
	"strings"

	"github.com/shopsupergraph/shop/subgraphs/products/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// ledger serves Product.movements and Query.inventoryLedger.
func (r *Resolver) ledger(ctx context.Context, productID string, skip, take *int) ([]*model.StockMovement, error) {
	s, t, err := input.Page(skip, take)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	ms, err := r.Inventory.Movements(ctx, productID, s, t)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	return toMovements(ms), nil
}

func normalizeID(id string) string { return strings.ToLower(id) }

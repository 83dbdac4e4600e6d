package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/subgraphs/products/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

func toProduct(p catalog.Product) *model.Product {
	out := &model.Product{
		ID: p.ID, Name: p.Name, Price: p.Price, Quantity: p.Quantity,
		CreatedAt: p.CreatedAt.Format(time.RFC3339Nano), UpdatedAt: p.UpdatedAt.Format(time.RFC3339Nano),
	}
	if p.Description != "" {
		d := p.Description
		out.Description = &d
	}
	if p.DeletedAt != nil {
		d := p.DeletedAt.Format(time.RFC3339Nano)
		out.DeletedAt = &d
	}
	return out
}

func toMovements(ms []inventory.Movement) []*model.StockMovement {
	out := make([]*model.StockMovement, len(ms))
	for i, m := range ms {
		sm := &model.StockMovement{
			ProductID: m.ProductID, Version: int(m.Version), Kind: model.MovementKind(strings.ToUpper(string(m.Kind))),
			Delta: m.Delta, Balance: m.Balance, CreatedAt: m.CreatedAt.Format(time.RFC3339Nano),
		}
		if m.OrderID != "" {
			o := m.OrderID
			sm.OrderID = &o
		}
		out[i] = sm
	}
	return out
}

// requireAdmin enforces the MANAGE_PRODUCTS scope, which the admin key
// and staff tokens granting it hold: UNAUTHENTICATED when no credential
// was presented at all, FORBIDDEN (extensions.requiredScopes) for a wrong
// key or a token without the scope.
func requireAdmin(ctx context.Context) error {
	if err := gqlerr.RequireScope(ctx, auth.ScopeManageProducts); err != nil {
		return err
	}
	return nil
}

// toGQL maps domain errors to GraphQL errors with extensions.code; other
// errors are internal and are not detailed to the client.
func (r *Resolver) toGQL(ctx context.Context, err error) error {
	var inv *input.Error
	var short *inventory.InsufficientStockError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &inv):
		return gqlerr.New(ctx, gqlerr.BadUserInput, inv.Error(), map[string]any{"field": inv.Field})
	case catalog.IsNotFound(err):
		return gqlerr.New(ctx, gqlerr.NotFound, "product not found", nil)
	case errors.As(err, &short):
		return gqlerr.New(ctx, gqlerr.InsufficientStock, short.Error(), map[string]any{"productId": short.ProductID, "available": short.Available})
	case errors.Is(err, inventory.ErrContention):
		return gqlerr.New(ctx, gqlerr.Unavailable, "the product is busy; try again", nil)
	default:
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			return ge
		}
		r.Log.ErrorContext(ctx, "resolver failed", "err", err)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	}
}

func toHealth(h inventory.Health) *model.InventoryHealth {
	out := &model.InventoryHealth{UndecidedReservations: h.Undecided, DirtySnapshots: h.Dirty}
	if h.OldestUndecided != nil {
		secs := int(h.OldestUndecided.Seconds())
		out.OldestUndecidedAgeSeconds = &secs
	}
	return out
}

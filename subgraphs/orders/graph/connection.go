package graph

import (
	"context"
	"errors"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// pageArgs turns a connection's GraphQL arguments into the domain's.
func pageArgs(first *int, after *string, last *int, before *string, filter *model.OrderFilter, sortBy *model.OrderSort) ordering.PageArgs {
	a := ordering.PageArgs{First: first, After: after, Last: last, Before: before, Sort: ordering.SortCreated, Desc: true}
	if sortBy != nil {
		a.Sort = ordering.SortField(sortBy.Field)
		if sortBy.Direction != nil {
			a.Desc = *sortBy.Direction == model.SortDirectionDesc
		}
	}
	if filter != nil {
		if filter.Status != nil {
			a.Filter.Status = ordering.Status(*filter.Status)
		}
		if filter.UserID != nil {
			a.Filter.UserID = *filter.UserID
		}
		if r := filter.CreatedAt; r != nil {
			a.Filter.From, a.Filter.To = r.Gte, r.Lte
		}
	}
	return a
}

// connection reads one page of orders for c.
func (r *Resolver) connection(ctx context.Context, c ordering.Caller, a ordering.PageArgs) (*model.OrderConnection, error) {
	page, err := r.Service.Connection(ctx, c, a)
	if err != nil {
		return nil, toGraphQL(ctx, err)
	}
	m := &model.OrderConnection{
		Edges:      make([]*model.OrderEdge, len(page.Orders)),
		Nodes:      make([]*model.Order, len(page.Orders)),
		PageInfo:   &model.PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage},
		TotalCount: page.TotalCount,
	}
	for i, o := range page.Orders {
		node := toModel(o)
		m.Nodes[i] = node
		m.Edges[i] = &model.OrderEdge{Cursor: page.Cursors[i].Encode(), Node: node}
	}
	if n := len(m.Edges); n > 0 {
		m.PageInfo.StartCursor = &m.Edges[0].Cursor
		m.PageInfo.EndCursor = &m.Edges[n-1].Cursor
	}
	return m, nil
}

// emptyConnection is what a caller sees of another user's orders.
func emptyConnection() *model.OrderConnection {
	return &model.OrderConnection{Edges: []*model.OrderEdge{}, Nodes: []*model.Order{}, PageInfo: &model.PageInfo{}}
}

// staff returns the caller when the request may manage every order (a
// token with MANAGE_ORDERS or the admin key): UNAUTHENTICATED without
// credentials, FORBIDDEN naming the scope otherwise. The router enforces
// @requiresScopes too; this check holds when the subgraph is called
// directly.
func staff(ctx context.Context) (ordering.Caller, error) {
	c, err := caller(ctx)
	if err != nil {
		return c, err
	}
	switch {
	case c.Admin:
		return c, nil
	case c.UserID == "":
		return c, gqlerr.New(ctx, gqlerr.Unauthenticated, "this operation needs a token with the MANAGE_ORDERS scope or the admin key", nil)
	default:
		return c, forbidden(ctx)
	}
}

// forbidden refuses a signed-in caller who lacks MANAGE_ORDERS.
func forbidden(ctx context.Context) error {
	return gqlerr.New(ctx, gqlerr.Forbidden, "this operation needs the MANAGE_ORDERS scope",
		map[string]any{"requiredScopes": []string{auth.ScopeManageOrders}})
}

// orderErrors turns a business failure of an order mutation into the
// payload's errors (prefix goes before every field path); ok is false for
// failures that stay top-level errors (credentials, unavailability,
// internal faults).
func orderErrors(err error, prefix string) ([]*model.OrderError, bool) {
	var input *ordering.InputError
	var stock *ordering.StockError
	var state *ordering.StateError
	field := func(f string) *string {
		if f == "" {
			return nil
		}
		f = prefix + f
		return &f
	}
	switch {
	case err == nil:
		return nil, false
	case errors.As(err, &input):
		code := model.OrderErrorCode(input.Code)
		if !code.IsValid() {
			code = model.OrderErrorCodeInvalid
		}
		return []*model.OrderError{{Field: field(input.Field), Code: code, Message: input.Msg}}, true
	case errors.As(err, &stock):
		return []*model.OrderError{{Field: field("products"), Code: model.OrderErrorCodeInsufficientStock, Message: stock.Error()}}, true
	case errors.As(err, &state):
		return []*model.OrderError{{Field: field("id"), Code: model.OrderErrorCodeInvalidStatus, Message: state.Error()}}, true
	case errors.Is(err, ordering.ErrNotFound):
		return []*model.OrderError{{Field: field("id"), Code: model.OrderErrorCodeNotFound, Message: "order not found"}}, true
	}
	return nil, false
}

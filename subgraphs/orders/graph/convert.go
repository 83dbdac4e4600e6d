package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// CodeCartLimit refuses a cart change beyond one of the cart's limits;
// extensions.limit names it (unitsPerProduct or unitsPerCart) and
// extensions.max gives its value.
const CodeCartLimit = "CART_LIMIT_EXCEEDED"

// caller reads the request's principal. A presented but invalid token or
// admin key is refused outright rather than treated as anonymous, so a
// client with an expired token learns why instead of seeing empty results.
func caller(ctx context.Context) (ordering.Caller, error) {
	p := auth.FromContext(ctx)
	if p.TokenErr != nil {
		return ordering.Caller{}, gqlerr.New(ctx, gqlerr.Unauthenticated, "invalid or expired token", nil)
	}
	if p.KeyPresented && !p.Admin {
		return ordering.Caller{}, gqlerr.New(ctx, gqlerr.Unauthenticated, "invalid admin key", nil)
	}
	// The admin key holds every scope; a staff token with MANAGE_ORDERS
	// acts on every order as the admin key does.
	return ordering.Caller{UserID: p.UserID, Admin: p.HasScope(auth.ScopeManageOrders)}, nil
}

// healthCaller is caller for orderHealth, which needs the MANAGE_ORDERS
// scope (the admin key holds it): a staff token granting it reads order
// health as the admin key does.
func healthCaller(ctx context.Context) (ordering.Caller, error) {
	c, err := caller(ctx)
	if err != nil {
		return c, err
	}
	if err := gqlerr.RequireScope(ctx, auth.ScopeManageOrders); err != nil {
		return c, err
	}
	c.Admin = true
	return c, nil
}

// toGraphQL maps a domain error to a GraphQL error with extensions.code.
// Unknown errors keep their message out of the response: they are logged by
// the server's error presenter and shown as an internal error.
func toGraphQL(ctx context.Context, err error) error {
	var input *ordering.InputError
	var stock *ordering.StockError
	var state *ordering.StateError
	var cartInput *cart.InputError
	var cartStock *cart.StockError
	var cartLimit *cart.LimitError
	var tooMany *readbudget.ExceededError
	switch {
	case errors.As(err, &tooMany):
		return readbudget.GraphQLError(ctx, tooMany)
	case errors.As(err, &cartLimit):
		return gqlerr.New(ctx, CodeCartLimit, cartLimit.Error(), map[string]any{
			"limit": cartLimit.Limit, "max": cartLimit.Max, "requested": cartLimit.Requested, "productId": cartLimit.ProductID})
	case errors.As(err, &cartInput):
		var extra map[string]any
		if cartInput.ProductID != "" {
			extra = map[string]any{"productId": cartInput.ProductID}
		}
		return gqlerr.New(ctx, gqlerr.BadUserInput, cartInput.Msg, extra)
	case errors.As(err, &cartStock):
		return cartStockError(ctx, cartStock)
	case errors.Is(err, cart.ErrEmpty):
		return gqlerr.New(ctx, gqlerr.BadUserInput, "the cart is empty", nil)
	case errors.Is(err, cart.ErrUnauthenticated):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "a valid Bearer token is required", nil)
	case errors.As(err, &input):
		var extra map[string]any
		if input.ProductID != "" {
			extra = map[string]any{"productId": input.ProductID}
		}
		return gqlerr.New(ctx, gqlerr.BadUserInput, input.Msg, extra)
	case errors.As(err, &stock):
		extra := map[string]any{"productId": stock.ProductID, "requested": stock.Requested}
		if stock.Available != nil {
			extra["available"] = *stock.Available
		}
		return gqlerr.New(ctx, gqlerr.InsufficientStock, stock.Error(), extra)
	case errors.As(err, &state):
		return gqlerr.New(ctx, gqlerr.Conflict, state.Error(), map[string]any{"status": string(state.Status)})
	case errors.Is(err, ordering.ErrAdminKeyRequired):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "this operation needs a token with the MANAGE_ORDERS scope or the admin key in the x-api-key header", nil)
	case errors.Is(err, ordering.ErrForbidden):
		return forbidden(ctx)
	case errors.Is(err, ordering.ErrUnauthenticated):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "a valid Bearer token is required", nil)
	case errors.Is(err, ordering.ErrNotFound):
		return gqlerr.New(ctx, gqlerr.NotFound, "order not found", nil)
	case errors.Is(err, ordering.ErrUnavailable):
		return gqlerr.New(ctx, gqlerr.Unavailable, "the products service is unavailable; nothing was reserved, please retry", nil)
	case mongox.IsUnavailable(err):
		return storeUnavailable(ctx, err)
	default:
		return err
	}
}

// storeUnavailable answers a failure of the orders database (no server,
// network, timeout) with SERVICE_UNAVAILABLE: the request was fine and may
// succeed when repeated. When a new order may have been written, the
// answer names it (extensions.orderId) and says how to avoid a second one:
// the order stays PENDING until recovery settles it. The cause is kept in
// the error for the server's log, never shown.
func storeUnavailable(ctx context.Context, err error) error {
	var pending *ordering.PendingError
	var e *gqlerror.Error
	switch {
	case errors.As(err, &pending) && pending.Resumable:
		e = gqlerr.New(ctx, gqlerr.Unavailable, fmt.Sprintf(
			"the orders database is unavailable; order %s may have been recorded and stays PENDING until it is settled. "+
				"Try again: repeating the checkout, or placeOrder with the same idempotencyKey, resumes the same order", pending.OrderID),
			map[string]any{"orderId": pending.OrderID})
	case errors.As(err, &pending):
		e = gqlerr.New(ctx, gqlerr.Unavailable, fmt.Sprintf(
			"the orders database is unavailable; order %s may have been recorded and stays PENDING until it is settled automatically. "+
				"Look it up with order(id: %q) and try again if it is REJECTED or not found", pending.OrderID, pending.OrderID),
			map[string]any{"orderId": pending.OrderID})
	default:
		e = gqlerr.New(ctx, gqlerr.Unavailable, "the orders database is unavailable; try again shortly", nil)
	}
	e.Err = err
	return e
}

func toModel(o ordering.Order) *model.Order {
	m := &model.Order{
		ID:         o.ID,
		UserID:     o.UserID,
		Status:     model.OrderStatus(o.Status),
		TotalMinor: o.Total,
		// Whole seconds, as createdAt has always been shown.
		CreatedAt: o.CreatedAt.UTC().Truncate(time.Second),
		User:      &model.User{ID: o.UserID},
		Products:  make([]*model.OrderProduct, len(o.Lines)),
	}
	for i, l := range o.Lines {
		m.Products[i] = &model.OrderProduct{ID: l.ProductID, Quantity: l.Quantity, UnitPriceMinor: l.UnitPrice, Product: &model.Product{ID: l.ProductID}}
		if l.VariantID != "" {
			v := l.VariantID
			m.Products[i].VariantID = &v
			m.Products[i].Variant = &model.ProductVariant{ID: v}
		}
	}
	return m
}

// toHealth reports ages in whole seconds at now.
func toHealth(h ordering.Health, now time.Time) *model.OrderHealth {
	m := &model.OrderHealth{UnsettledSteps: h.UnsettledSteps, OwedReleases: h.OwedReleases, PendingOrders: h.PendingOrders}
	if age, ok := h.OldestAge(now); ok {
		secs := int(age / time.Second)
		m.OldestUnsettledAgeSeconds = &secs
	}
	return m
}

func toModels(os []ordering.Order) []*model.Order {
	out := make([]*model.Order, len(os))
	for i, o := range os {
		out[i] = toModel(o)
	}
	return out
}

// cartStockError names every line that cannot be held: NOT_FOUND when the
// only problem is a product that does not exist, INSUFFICIENT_STOCK
// otherwise, with extensions.lines [{productId, requested, available}].
func cartStockError(ctx context.Context, e *cart.StockError) error {
	code := gqlerr.NotFound
	lines := make([]map[string]any, len(e.Lines))
	for i, l := range e.Lines {
		m := map[string]any{"productId": l.ProductID, "requested": l.Requested}
		if l.Available != nil {
			m["available"] = *l.Available
		}
		if l.Code != gqlerr.NotFound {
			code = gqlerr.InsufficientStock
		}
		lines[i] = m
	}
	extra := map[string]any{"lines": lines}
	if len(lines) == 1 {
		for k, v := range lines[0] {
			extra[k] = v
		}
	}
	return gqlerr.New(ctx, code, e.Error(), extra)
}

func toCart(c cart.Cart) *model.Cart {
	m := &model.Cart{ID: c.ID, TotalMinor: c.Total, Lines: make([]*model.CartLine, len(c.Lines))}
	if c.ExpiresAt != nil {
		at := c.ExpiresAt.UTC()
		m.ExpiresAt = &at
	}
	for i, l := range c.Lines {
		m.Lines[i] = &model.CartLine{ID: l.ProductID, Quantity: l.Quantity, Held: l.Held, UnitPriceMinor: l.UnitPrice, Product: &model.Product{ID: l.ProductID}}
		if l.VariantID != "" {
			v := l.VariantID
			m.Lines[i].VariantID = &v
			m.Lines[i].Variant = &model.ProductVariant{ID: v}
		}
	}
	return m
}

// lineInput is an order line as the domain takes it.
func lineInput(p *model.OrderProductInput) *ordering.LineInput {
	in := &ordering.LineInput{ProductID: p.ID, Quantity: p.Quantity}
	if p.VariantID != nil {
		in.VariantID = *p.VariantID
	}
	return in
}

// deref returns an optional argument's value, empty when left out.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

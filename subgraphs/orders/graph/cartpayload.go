package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopsupergraph/shop/subgraphs/orders/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// cartLines runs a multi-line cart change; field names the input list
// ("lines", or "productIds" for removals, which name products only).
func (r *Resolver) cartLines(ctx context.Context, mode string, lines []*model.CartLineInput) (*model.CartPayload, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if ctx, err = startWrite(ctx); err != nil {
		return nil, err
	}
	changes := make([]cart.LineChange, len(lines))
	for i, l := range lines {
		changes[i] = cart.LineChange{ProductID: l.ProductID, VariantID: deref(l.VariantID), Quantity: l.Quantity}
	}
	list := "lines"
	if mode == cart.ModeRemove && len(lines) > 0 {
		list = "productIds"
	}
	ct, err := r.Carts.ChangeLines(ctx, c, mode, changes)
	if errs, ok := cartErrors(err, false, list); ok {
		return r.cartFailure(ctx, c, errs), nil
	}
	if err != nil {
		return nil, toGraphQL(ctx, err)
	}
	return &model.CartPayload{Cart: toCart(ct), Errors: []*model.CartError{}}, nil
}

// cartFailure is a payload with errors and the cart as it stands (null
// when it cannot be read now: the errors still say what happened).
func (r *Resolver) cartFailure(ctx context.Context, c ordering.Caller, errs []*model.CartError) *model.CartPayload {
	p := &model.CartPayload{Errors: errs}
	if ct, err := r.Carts.Get(ctx, c); err == nil {
		p.Cart = toCart(ct)
	}
	return p
}

// cartErrors turns a business failure of a cart mutation into payload
// errors; ok is false for failures that stay top-level. At checkout a
// line that cannot be held again lost its hold: CART_EXPIRED.
func cartErrors(err error, checkout bool, list string) ([]*model.CartError, bool) {
	var input *cart.InputError
	var stock *cart.StockError
	var limit *cart.LimitError
	var orderStock *ordering.StockError
	path := func(i int, f string) *string {
		if list == "" {
			return nil
		}
		p := list
		if i >= 0 {
			p = fmt.Sprintf("%s.%d", list, i)
			if f != "" && list == "lines" {
				p += "." + f
			}
		}
		return &p
	}
	switch {
	case err == nil:
		return nil, false
	case errors.As(err, &input):
		code := model.CartErrorCode(input.Code)
		if !code.IsValid() {
			code = model.CartErrorCodeInvalid
		}
		return []*model.CartError{{Field: path(input.Index, input.Field), Code: code, Message: input.Msg}}, true
	case errors.As(err, &limit):
		return []*model.CartError{{Field: path(-1, ""), Code: model.CartErrorCodeCartLimitExceeded, Message: limit.Error()}}, true
	case errors.As(err, &stock):
		out := make([]*model.CartError, len(stock.Lines))
		for i, l := range stock.Lines {
			e := &cart.StockError{Lines: []cart.LineProblem{l}}
			code := model.CartErrorCodeInsufficientStock
			switch {
			case l.Code == "NOT_FOUND":
				code = model.CartErrorCodeNotFound
			case checkout:
				code = model.CartErrorCodeCartExpired
			}
			out[i] = &model.CartError{Field: path(-1, ""), Code: code, Message: e.Error()}
		}
		return out, true
	case errors.As(err, &orderStock):
		return []*model.CartError{{Code: model.CartErrorCodeInsufficientStock, Message: orderStock.Error()}}, true
	case errors.Is(err, cart.ErrEmpty):
		return []*model.CartError{{Code: model.CartErrorCodeCartEmpty, Message: "the cart is empty"}}, true
	}
	return nil, false
}

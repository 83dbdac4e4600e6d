package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsupergraph/shop/subgraphs/orders/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// histories remembers, for one operation, the order history read for each
// user, so that `orders { user { orders } }` reads the caller's history
// once however many orders point back at the same user.
type histories struct {
	mu    sync.Mutex
	users map[string]*history
}

type history struct {
	once   sync.Once
	orders []*model.Order
	err    error
}

type historiesKey struct{}

// WithHistories gives every operation its own memo of user histories; the
// handler installs it with AroundOperations.
func WithHistories(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, historiesKey{}, &histories{users: map[string]*history{}}))
}

// userOrders returns a user's order history as the caller may see it,
// read at most once per operation (and read afresh when the handler did
// not install the memo).
func (r *Resolver) userOrders(ctx context.Context, c ordering.Caller, userID string) ([]*model.Order, error) {
	load := func() ([]*model.Order, error) {
		byUser, err := r.Service.OrdersOfUsers(ctx, c, []string{userID})
		if err != nil {
			return nil, toGraphQL(ctx, err)
		}
		return toModels(byUser[userID]), nil
	}
	hs, _ := ctx.Value(historiesKey{}).(*histories)
	if hs == nil {
		return load()
	}
	hs.mu.Lock()
	h := hs.users[userID]
	if h == nil {
		h = &history{}
		hs.users[userID] = h
	}
	hs.mu.Unlock()
	h.once.Do(func() { h.orders, h.err = load() })
	return h.orders, h.err
}

package graph

import (
	"context"
	"errors"
	"time"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

// toGraphQL maps the domain's errors to GraphQL errors with
// extensions.code; anything else reaches the error presenter, which hides
// its text.
func toGraphQL(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, webhooks.ErrUnauthenticated):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "sign in to write a webhook", nil)
	case errors.Is(err, webhooks.ErrInvalid):
		return gqlerr.New(ctx, gqlerr.BadUserInput, err.Error(), nil)
	case mongox.IsUnavailable(err):
		e := gqlerr.New(ctx, gqlerr.Unavailable, "the webhooks database is unavailable; try again shortly", nil)
		e.Err = err
		return e
	}
	return err
}

func toModel(r webhooks.Webhook) *model.Webhook {
	return &model.Webhook{
		ID: r.ID, ProductID: r.ProductID, UserID: r.UserID, Rating: r.Rating,
		Body: r.Body, CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339),
	}
}

func toModels(rs []webhooks.Webhook) []*model.Webhook {
	out := make([]*model.Webhook, len(rs))
	for i, r := range rs {
		out[i] = toModel(r)
	}
	return out
}

package graph

import (
	"context"
	"errors"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks/mongostore"
)

// toGraphQL maps the domain's errors to GraphQL errors with
// extensions.code; anything else reaches the error presenter, which hides
// its text.
func toGraphQL(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, webhooks.ErrUnauthenticated):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "sign in as staff with the "+webhooks.RequiredScope+" scope to manage webhooks", nil)
	case errors.Is(err, webhooks.ErrForbidden):
		return gqlerr.New(ctx, gqlerr.Forbidden, "managing webhooks needs the "+webhooks.RequiredScope+" scope",
			map[string]any{"requiredScopes": []string{webhooks.RequiredScope}})
	case errors.Is(err, webhooks.ErrInvalid):
		return gqlerr.New(ctx, gqlerr.BadUserInput, err.Error(), nil)
	case mongox.IsUnavailable(err):
		e := gqlerr.New(ctx, gqlerr.Unavailable, "the webhooks database is unavailable; try again shortly", nil)
		e.Err = err
		return e
	}
	return err
}

func toWebhook(e webhooks.Endpoint) *model.Webhook {
	evs := make([]model.WebhookEventType, len(e.Events))
	for i, t := range e.Events {
		evs[i] = model.WebhookEventType(t)
	}
	return &model.Webhook{ID: e.ID, URL: e.URL, Events: evs, Description: e.Description, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func toErrors(fe []webhooks.FieldError) []*model.WebhookError {
	out := make([]*model.WebhookError, len(fe))
	for i, f := range fe {
		e := &model.WebhookError{Code: model.WebhookErrorCode(f.Code), Message: f.Message}
		if f.Field != "" {
			e.Field = &f.Field
		}
		out[i] = e
	}
	return out
}

// payload builds a WebhookPayload; withSecret shows the secret (create
// and rotate only).
func payload(e webhooks.Endpoint, fe []webhooks.FieldError, withSecret bool) *model.WebhookPayload {
	if len(fe) > 0 {
		return &model.WebhookPayload{Errors: toErrors(fe)}
	}
	p := &model.WebhookPayload{Webhook: toWebhook(e), Errors: []*model.WebhookError{}}
	if withSecret {
		p.Secret = &e.Secret
	}
	return p
}

func eventTypes(ts []model.WebhookEventType) []webhooks.EventType {
	out := make([]webhooks.EventType, len(ts))
	for i, t := range ts {
		out[i] = webhooks.EventType(t)
	}
	return out
}

func toDelivery(d webhooks.Delivery) *model.WebhookDelivery {
	m := &model.WebhookDelivery{
		ID: d.ID, MessageID: d.MessageID, EventType: model.WebhookEventType(d.Type), Status: model.WebhookDeliveryStatus(d.Status),
		CreatedAt: d.CreatedAt, Payload: string(d.Payload), Attempts: make([]*model.WebhookDeliveryAttempt, len(d.Attempts)),
	}
	if !d.NextAttemptAt.IsZero() {
		next := d.NextAttemptAt
		m.NextAttemptAt = &next
	}
	for i, a := range d.Attempts {
		ma := &model.WebhookDeliveryAttempt{At: a.At, DurationMs: int(a.Duration.Milliseconds())}
		if a.HTTPStatus != 0 {
			st := a.HTTPStatus
			ma.HTTPStatus = &st
		}
		if a.Error != "" {
			msg := a.Error
			ma.Error = &msg
		}
		m.Attempts[i] = ma
	}
	return m
}

func toConnection(p webhooks.DeliveryPage, hasPrevious bool) *model.WebhookDeliveryConnection {
	c := &model.WebhookDeliveryConnection{
		Edges: make([]*model.WebhookDeliveryEdge, len(p.Deliveries)), Nodes: make([]*model.WebhookDelivery, len(p.Deliveries)),
		PageInfo: &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: hasPrevious}, TotalCount: p.Total,
	}
	for i, d := range p.Deliveries {
		n := toDelivery(d)
		c.Nodes[i] = n
		c.Edges[i] = &model.WebhookDeliveryEdge{Cursor: mongostore.EncodeCursor(d), Node: n}
	}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[len(c.Edges)-1].Cursor
	}
	return c
}

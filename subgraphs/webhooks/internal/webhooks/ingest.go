package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
)

// GroupID is the Kafka consumer group of the webhooks service.
const GroupID = "webhooks"

// Map returns the webhook event types a Kafka event of the shop becomes:
// OrderPlaced (written when an order is confirmed, with its status) is
// ORDER_CREATED and, for a CONFIRMED order, also ORDER_CONFIRMED;
// OrderRejected is ORDER_REJECTED, OrderCancelled ORDER_CANCELLED and
// StockChanged (every stock movement) STOCK_CHANGED. Other events are not
// offered as webhooks.
func Map(e events.Envelope) ([]EventType, error) {
	switch e.Type {
	case events.OrderPlaced:
		var d events.OrderData
		if err := e.Decode(&d); err != nil {
			return nil, err
		}
		if d.Status == "CONFIRMED" {
			return []EventType{OrderCreated, OrderConfirmed}, nil
		}
		return []EventType{OrderCreated}, nil
	case events.OrderRejected:
		return []EventType{OrderRejected}, nil
	case events.OrderCancelled:
		return []EventType{OrderCancelled}, nil
	case events.StockChanged:
		return []EventType{StockChanged}, nil
	}
	return nil, nil
}

// Body is the JSON document a delivery posts.
type Body struct {
	ID        string          `json:"id"`
	Type      EventType       `json:"type"`
	CreatedAt time.Time       `json:"createdAt"`
	Data      json.RawMessage `json:"data"`
}

// MessageID is the Webhook-Id of the delivery of event eventID as type t.
func MessageID(eventID string, t EventType) string {
	return "msg_" + eventID + "_" + strings.ToLower(string(t))
}

// Ingester turns Kafka events into deliveries.
type Ingester struct {
	store    Storer
	retryFor time.Duration
	now      func() time.Time
}

// NewIngester returns an ingester whose deliveries are retried for
// retryFor after they are made.
func NewIngester(store Storer, retryFor time.Duration) *Ingester {
	return &Ingester{store: store, retryFor: retryFor, now: time.Now}
}

// Handle stores one delivery per subscribed endpoint and event type of e.
// It is idempotent by event id (delivery ids derive from it), and it
// returns only once the deliveries are stored, so the consumer commits the
// event's offset after that and a crash in between hands the event over
// again instead of losing it.
func (in *Ingester) Handle(ctx context.Context, e events.Envelope) error {
	types, err := Map(e)
	if err != nil || len(types) == 0 {
		return err
	}
	eps, err := in.store.Endpoints(ctx, MaxEndpoints)
	if err != nil {
		return fmt.Errorf("webhook endpoints: %w", err)
	}
	now := in.now().UTC().Truncate(time.Millisecond)
	var ds []Delivery
	for _, t := range types {
		msg := MessageID(e.ID, t)
		data := e.Data
		if len(data) == 0 {
			data = json.RawMessage("{}")
		}
		payload, err := json.Marshal(Body{ID: msg, Type: t, CreatedAt: e.OccurredAt.UTC(), Data: data})
		if err != nil {
			return events.Poison(fmt.Errorf("encode webhook body: %w", err))
		}
		for _, ep := range eps {
			if !ep.Subscribes(t) {
				continue
			}
			ds = append(ds, Delivery{
				ID: ep.ID + ":" + e.ID + ":" + string(t), EndpointID: ep.ID, MessageID: msg, EventID: e.ID, Type: t,
				Payload: payload, Status: StatusPending, CreatedAt: now, NextAttemptAt: now, Deadline: now.Add(in.retryFor),
			})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	if err := in.store.InsertDeliveries(ctx, ds); err != nil {
		return fmt.Errorf("store webhook deliveries: %w", err)
	}
	return nil
}

// Package orderevents gives stock back when the orders service cancels or
// rejects an order, so stock returns even if its synchronous release call
// failed. It runs in a stable consumer group: one replica handles each event.
package orderevents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// GroupID is the consumer group shared by every products replica.
const GroupID = "products-order-releases"

// Releaser releases an order's reservation (the inventory service).
type Releaser interface {
	Release(ctx context.Context, orderID string) (inventory.Reservation, error)
}

// Handler returns the kafkax handler for the orders topic. Release is
// idempotent, so redelivered events change nothing. An event whose data
// does not decode or names an invalid order is poison (the consumer sets
// it aside in the dead-letter topic); any other failure is retried.
func Handler(r Releaser, log *slog.Logger) func(ctx context.Context, e events.Envelope) error {
	return func(ctx context.Context, e events.Envelope) error {
		if e.Type != events.OrderCancelled && e.Type != events.OrderRejected {
			return nil
		}
		var d events.OrderData
		if err := e.Decode(&d); err != nil {
			return err // poison already
		}
		if _, err := r.Release(ctx, d.OrderID); err != nil {
			err = fmt.Errorf("release order %q: %w", d.OrderID, err)
			if errors.Is(err, input.ErrInvalid) {
				return events.Poison(err)
			}
			return err
		}
		log.Info("released stock of order", "orderId", d.OrderID, "event", e.Type)
		return nil
	}
}

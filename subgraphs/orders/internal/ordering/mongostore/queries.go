package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Get returns one order with its transitions applied, or ordering.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (ordering.Order, error) {
	out, err := s.GetMany(ctx, []string{id})
	if err != nil {
		return ordering.Order{}, err
	}
	if len(out) == 0 {
		return ordering.Order{}, ordering.ErrNotFound
	}
	return out[0], nil
}

// GetMany returns the orders that exist among ids (two queries in all).
func (s *Store) GetMany(ctx context.Context, ids []string) ([]ordering.Order, error) {
	oids := make([]primitive.ObjectID, 0, len(ids))
	for _, id := range ids {
		oid, err := primitive.ObjectIDFromHex(id)
		if err != nil {
			continue
		}
		oids = append(oids, oid)
	}
	if len(oids) == 0 {
		return nil, nil
	}
	return s.findOrders(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}}, nil)
}

// ListByUsers returns the users' orders (every order when userIDs is nil),
// newest first, at most limit.
func (s *Store) ListByUsers(ctx context.Context, userIDs []string, limit int) ([]ordering.Order, error) {
	filter := bson.D{}
	if userIDs != nil {
		filter = bson.D{{Key: "userId", Value: bson.D{{Key: "$in", Value: userIDs}}}}
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	return s.findOrders(ctx, filter, opts)
}

// StalePending returns orders whose snapshot is still PENDING and that were
// created before before.
func (s *Store) StalePending(ctx context.Context, before time.Time, limit int) ([]ordering.Order, error) {
	filter := bson.D{{Key: "status", Value: string(ordering.StatusPending)}, {Key: "createdAt", Value: bson.D{{Key: "$lte", Value: before}}}}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}}).SetLimit(int64(limit))
	var docs []orderDoc
	cur, err := s.orders.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find pending orders: %w", err)
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read pending orders: %w", err)
	}
	out := make([]ordering.Order, len(docs))
	for i, d := range docs {
		out[i] = d.order()
	}
	return out, nil
}

// Unapplied returns transitions whose snapshot was not written, older than before.
func (s *Store) Unapplied(ctx context.Context, before time.Time, limit int) ([]ordering.Transition, error) {
	return s.findTransitions(ctx, bson.D{{Key: "applied", Value: false}, {Key: "at", Value: bson.D{{Key: "$lte", Value: before}}}}, limit)
}

// Unreleased returns transitions that owe products a release, older than before.
func (s *Store) Unreleased(ctx context.Context, before time.Time, limit int) ([]ordering.Transition, error) {
	return s.findTransitions(ctx, bson.D{
		{Key: "needsRelease", Value: true}, {Key: "released", Value: false},
		{Key: "at", Value: bson.D{{Key: "$lte", Value: before}}},
	}, limit)
}

func (s *Store) findTransitions(ctx context.Context, filter bson.D, limit int) ([]ordering.Transition, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(int64(limit))
	cur, err := s.transitions.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find transitions: %w", err)
	}
	var docs []transitionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read transitions: %w", err)
	}
	out := make([]ordering.Transition, len(docs))
	for i, d := range docs {
		out[i] = d.transition()
	}
	return out, nil
}

// findOrders runs one orders query and one transitions query for all the
// orders found, and applies each order's newest transition.
func (s *Store) findOrders(ctx context.Context, filter bson.D, opts *options.FindOptions) ([]ordering.Order, error) {
	if opts == nil {
		opts = options.Find()
	}
	cur, err := s.orders.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find orders: %w", err)
	}
	var docs []orderDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID.Hex()
	}
	tcur, err := s.transitions.Find(ctx, bson.D{{Key: "orderId", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "outbox", Value: 0}}))
	if err != nil {
		return nil, fmt.Errorf("find order transitions: %w", err)
	}
	var tdocs []transitionDoc
	if err := tcur.All(ctx, &tdocs); err != nil {
		return nil, fmt.Errorf("read order transitions: %w", err)
	}
	newest := make(map[string]transitionDoc, len(tdocs))
	for _, t := range tdocs {
		if cur, ok := newest[t.OrderID]; !ok || t.Step > cur.Step {
			newest[t.OrderID] = t
		}
	}
	out := make([]ordering.Order, len(docs))
	for i, d := range docs {
		o := d.order()
		if t, ok := newest[o.ID]; ok && t.Step > d.StatusSeq {
			o = o.Apply(t.transition())
		}
		out[i] = o
	}
	return out, nil
}

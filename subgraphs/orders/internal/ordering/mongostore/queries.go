package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// getReads is the most Get reads: the order document, then at most one
// transition per step after its snapshot (a step n+1 follows step n).
const getReads = 1 + ordering.LastStep

// Get returns one order with its transitions applied, or
// ordering.ErrNotFound: one point read of the order document, then point
// reads of the transitions after its snapshot. It charges the request's
// read budget getReads up front.
func (s *Store) Get(ctx context.Context, id string) (ordering.Order, error) {
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return ordering.Order{}, ordering.ErrNotFound
	}
	if err := readbudget.Spend(ctx, getReads); err != nil {
		return ordering.Order{}, fmt.Errorf("get order: %w", err)
	}
	return s.get(readbudget.Without(ctx), oid)
}

// get is Get without the charge.
func (s *Store) get(ctx context.Context, oid primitive.ObjectID) (ordering.Order, error) {
	var d orderDoc
	err := s.orders.FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ordering.Order{}, ordering.ErrNotFound
	}
	if err != nil {
		return ordering.Order{}, fmt.Errorf("get order: %w", err)
	}
	return s.merge(ctx, d)
}

// GetMany returns the orders that exist among ids, in the order of ids,
// by point reads (at most fanout.PointReads at once): a filter on several ids
// would scan the whole collection on the embedded store. It charges the
// request's read budget for all of them up front.
func (s *Store) GetMany(ctx context.Context, ids []string) ([]ordering.Order, error) {
	if err := readbudget.Spend(ctx, getReads*len(ids)); err != nil {
		return nil, fmt.Errorf("get orders: %w", err)
	}
	ctx = readbudget.Without(ctx)
	found := make([]ordering.Order, len(ids))
	ok := make([]bool, len(ids))
	err := fanout.Each(ctx, len(ids), fanout.PointReads, func(ctx context.Context, i int) error {
		o, err := s.Get(ctx, ids[i])
		if errors.Is(err, ordering.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found[i], ok[i] = o, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]ordering.Order, 0, len(ids))
	for i, o := range found {
		if ok[i] {
			out = append(out, o)
		}
	}
	return out, nil
}

// findOrders runs one orders query and merges each order's transitions
// by point reads. The query counts one read, and each order it returns
// what a Get of it would.
func (s *Store) findOrders(ctx context.Context, filter bson.D, opts *options.FindOptions) ([]ordering.Order, error) {
	if opts == nil {
		opts = options.Find()
	}
	if err := readbudget.Spend(ctx, 1); err != nil {
		return nil, fmt.Errorf("find orders: %w", err)
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
	if err := readbudget.Spend(ctx, getReads*len(docs)); err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	ctx = readbudget.Without(ctx)
	out := make([]ordering.Order, len(docs))
	err = fanout.Each(ctx, len(docs), fanout.PointReads, func(ctx context.Context, i int) error {
		o, err := s.merge(ctx, docs[i])
		out[i] = o
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// merge applies to an order document the transitions taken after its
// snapshot, reading transition statusSeq+1, statusSeq+2, ... by _id until
// one is missing (step n+1 only ever follows step n).
func (s *Store) merge(ctx context.Context, d orderDoc) (ordering.Order, error) {
	o := d.order()
	for step := d.StatusSeq + 1; step <= ordering.LastStep; step++ {
		t, ok, err := s.findTransition(ctx, o.ID, step)
		if err != nil {
			return ordering.Order{}, fmt.Errorf("merge order transitions: %w", err)
		}
		if !ok {
			break
		}
		o = o.Apply(t)
	}
	return o, nil
}

// findTransition reads one transition by _id without its outbox entry.
func (s *Store) findTransition(ctx context.Context, orderID string, step int) (ordering.Transition, bool, error) {
	var d transitionDoc
	err := s.transitions.FindOne(ctx, bson.D{{Key: "_id", Value: transitionID(orderID, step)}},
		options.FindOne().SetProjection(bson.D{{Key: outbox.Field, Value: 0}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ordering.Transition{}, false, nil
	}
	if err != nil {
		return ordering.Transition{}, false, fmt.Errorf("get transition: %w", err)
	}
	return d.transition(), true, nil
}

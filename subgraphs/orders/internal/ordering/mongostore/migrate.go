package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// migrationID marks, in IndexCollection, a database whose orders have
// their history entries and work items.
const migrationID = "migrated:history-and-work"

// Migrate brings a database written before order histories and the work
// list existed up to date, once (a marker document records it): every
// order gets its history entry, oldest first, and every unsettled step of
// the old format (a PENDING order, a transition not applied to its order
// or owing a release not acknowledged) gets its work item. It scans the
// old collections, so it runs at start-up, before the service takes
// requests, and costs a point read once done. Replicas of the old version
// must be stopped first: orders they write afterwards get no entry.
// Two replicas migrating at once only write duplicates that readers skip.
func (s *Store) Migrate(ctx context.Context) error {
	err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: migrationID}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("migrate orders: %w", err)
	}
	if err := s.migrateOrders(ctx); err != nil {
		return fmt.Errorf("migrate orders: %w", err)
	}
	if err := s.migrateTransitions(ctx); err != nil {
		return fmt.Errorf("migrate orders: %w", err)
	}
	_, err = s.index.InsertOne(ctx, bson.D{{Key: "_id", Value: migrationID}, {Key: "at", Value: time.Now().UTC()}})
	if err != nil && !mongox.IsDuplicateKey(err) {
		return fmt.Errorf("migrate orders: %w", err)
	}
	return nil
}

// migrateOrders enters every order in its user's history and puts PENDING
// orders on the work list.
func (s *Store) migrateOrders(ctx context.Context) error {
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).
		SetProjection(bson.D{{Key: "userId", Value: 1}, {Key: "status", Value: 1}, {Key: "createdAt", Value: 1}})
	cur, err := s.orders.Find(ctx, bson.D{}, opts)
	if err != nil {
		return fmt.Errorf("find orders: %w", err)
	}
	defer cur.Close(ctx) //nolint:errcheck // read-only cursor
	for cur.Next(ctx) {
		var d orderDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("read order: %w", err)
		}
		if _, err := s.appendHistory(ctx, d.UserID, d.ID.Hex(), d.CreatedAt); err != nil {
			return err
		}
		if d.Status == string(ordering.StatusPending) {
			if err := s.addWork(ctx, ordering.WorkItem{OrderID: d.ID.Hex(), Step: ordering.StepResolve, At: d.CreatedAt}); err != nil {
				return err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("read orders: %w", err)
	}
	return nil
}

// migrateTransitions puts old-format transitions that were not applied or
// owe a release on the work list.
func (s *Store) migrateTransitions(ctx context.Context) error {
	filter := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "applied", Value: false}},
		bson.D{{Key: "needsRelease", Value: true}, {Key: "released", Value: false}},
	}}}
	cur, err := s.transitions.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "orderId", Value: 1}, {Key: "step", Value: 1}, {Key: "at", Value: 1}}))
	if err != nil {
		return fmt.Errorf("find transitions: %w", err)
	}
	var docs []workDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("read transitions: %w", err)
	}
	for _, d := range docs {
		if err := s.addWork(ctx, ordering.WorkItem{OrderID: d.OrderID, Step: d.Step, At: d.At}); err != nil {
			return err
		}
	}
	return nil
}

package mongostore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// The work list is a small collection of the order steps not yet settled:
// an item is inserted before its work starts (with the order, or with a
// later transition) and deleted once everything the step owes is recorded.
// Recovery reads only this collection, never the order history, so its
// cost follows the unfinished work, not the number of orders ever placed.
//
// An item's _id is "<orderId>:<step>" and, after n failed recovery
// attempts, "<orderId>:<step>#<n>": a failed item is inserted again under
// its next id and the old record deleted, which moves it behind every item
// recorded before the retry. Work reads the collection in natural
// (insertion) order with a limit and no filter or sort, the one query the
// embedded store answers without reading the whole table, so a pass sees
// the oldest items first and items that keep failing cannot starve the
// others. Natural order is only a fairness hint: settling is idempotent,
// so an item read twice or late is still settled correctly.

type workDoc struct {
	ID       string    `bson:"_id"`
	OrderID  string    `bson:"orderId"`
	Step     int       `bson:"step"`
	At       time.Time `bson:"at"`
	Attempts int       `bson:"attempts"`
}

func workID(w ordering.WorkItem) string {
	id := transitionID(w.OrderID, w.Step)
	if w.Attempts > 0 {
		id += "#" + strconv.Itoa(w.Attempts)
	}
	return id
}

// addWork inserts w; an existing item for the same step is kept (retried
// creates and racing cancels share it).
func (s *Store) addWork(ctx context.Context, w ordering.WorkItem) error {
	d := workDoc{ID: workID(w), OrderID: w.OrderID, Step: w.Step, At: w.At, Attempts: w.Attempts}
	if err := s.workIns.InsertOne(ctx, d); err != nil && !mongox.IsDuplicateKey(err) {
		return fmt.Errorf("add work item: %w", err)
	}
	return nil
}

// Work returns up to limit items (all when limit is 0) in natural order.
func (s *Store) Work(ctx context.Context, limit int) ([]ordering.WorkItem, error) {
	cur, err := s.work.Find(ctx, bson.D{}, options.Find().SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("find work: %w", err)
	}
	var docs []workDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read work: %w", err)
	}
	out := make([]ordering.WorkItem, len(docs))
	for i, d := range docs {
		out[i] = ordering.WorkItem{OrderID: d.OrderID, Step: d.Step, At: d.At, Attempts: d.Attempts}
	}
	return out, nil
}

// FinishWork deletes the item by _id.
func (s *Store) FinishWork(ctx context.Context, w ordering.WorkItem) error {
	if err := s.lane.Do(func() error {
		_, err := s.work.DeleteOne(ctx, bson.D{{Key: "_id", Value: workID(w)}})
		return err //nolint:wrapcheck // wrapped below
	}); err != nil {
		return fmt.Errorf("finish work: %w", err)
	}
	return nil
}

// RetryWork inserts the item again with one more attempt, then deletes the
// old record. A crash in between leaves both, which only means the step is
// checked twice.
func (s *Store) RetryWork(ctx context.Context, w ordering.WorkItem) error {
	next := w
	next.Attempts++
	if err := s.addWork(ctx, next); err != nil {
		return fmt.Errorf("retry work: %w", err)
	}
	if err := s.FinishWork(ctx, w); err != nil {
		return fmt.Errorf("retry work: %w", err)
	}
	return nil
}

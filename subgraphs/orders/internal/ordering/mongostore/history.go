package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// IndexCollection holds per-user documents read by _id: the order history
// ("hist:<userId>:<seq>", seq zero-padded to 12 digits), its head hint
// ("head:<userId>") and idempotency keys ("idem:<userId>:<key>").
//
// A user's history is a gap-free sequence 1, 2, 3, ... of entries, each
// naming one order. A writer finds the newest entry by reading the head
// hint and probing forward by _id until an entry is missing, then inserts
// the next one; the unique _id lets one of two racing writers win and the
// loser takes the following number. Entries are never deleted, so every
// number up to the newest exists and a reader walks down from the newest
// by point reads. The head hint is rewritten only every headStride
// entries (a forward probe of a few reads is cheaper than a write per
// order); it may lag or, after racing rewrites, even go back, and stays a
// valid starting point either way since every entry up to it exists.
//
// The entry is inserted before the order document, so an order never
// exists without its entry; an entry whose order was never written (a
// crash between the two) or a second entry for one order (a retried
// checkout that lost its race) is skipped by readers.
const IndexCollection = "order_index"

// headStride is how many entries pass between rewrites of the head hint.
const headStride = 8

type histDoc struct {
	ID      string    `bson:"_id"`
	UserID  string    `bson:"userId"`
	Seq     int64     `bson:"seq"`
	OrderID string    `bson:"orderId"`
	At      time.Time `bson:"at"`
}

func histID(userID string, seq int64) string { return fmt.Sprintf("hist:%s:%012d", userID, seq) }

func headID(userID string) string { return "head:" + userID }

// historyTop returns the number of the user's newest history entry (0 when
// there is none): the head hint, then point reads forward.
func (s *Store) historyTop(ctx context.Context, userID string) (int64, error) {
	var head struct {
		Seq int64 `bson:"seq"`
	}
	if err := readbudget.Spend(ctx, 1); err != nil {
		return 0, fmt.Errorf("read history head: %w", err)
	}
	err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: headID(userID)}}).Decode(&head)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("read history head: %w", err)
	}
	top := head.Seq
	for {
		if err := readbudget.Spend(ctx, 1); err != nil {
			return 0, fmt.Errorf("probe history: %w", err)
		}
		err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: histID(userID, top+1)}},
			options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return top, nil
		}
		if err != nil {
			return 0, fmt.Errorf("probe history: %w", err)
		}
		top++
	}
}

// appendHistory inserts the next history entry of the user for orderID
// and returns its number.
func (s *Store) appendHistory(ctx context.Context, userID, orderID string, at time.Time) (int64, error) {
	top, err := s.historyTop(ctx, userID)
	if err != nil {
		return 0, err
	}
	seq := top + 1
	for {
		err := s.indexIns.InsertOne(ctx, histDoc{ID: histID(userID, seq), UserID: userID, Seq: seq, OrderID: orderID, At: at})
		if err == nil {
			break
		}
		if !mongox.IsDuplicateKey(err) {
			return 0, fmt.Errorf("append history: %w", err)
		}
		seq++
	}
	if seq%headStride == 0 {
		_, err := s.index.UpdateOne(ctx, bson.D{{Key: "_id", Value: headID(userID)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}}, options.Update().SetUpsert(true))
		if err != nil && !mongox.IsDuplicateKey(err) {
			return 0, fmt.Errorf("move history head: %w", err)
		}
	}
	return seq, nil
}

// historySlack is how many entries History reads beyond its limit. Entry
// numbers follow the order of the inserts, creation times the order in
// which requests began: two orders of one user placed at the same moment
// can get their numbers the other way round. Reading a few more entries
// than asked and sorting by creation time gives the same page as sorting
// the whole history unless one user had more than this many creates in
// flight at once.
const historySlack = 16

// History returns the user's orders newest first (by creation time, then
// id), at most limit, by point reads only: the newest entry number, then
// entries walking down, then the orders they name.
func (s *Store) History(ctx context.Context, userID string, limit int) ([]ordering.Order, error) {
	seq, err := s.historyTop(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var out []ordering.Order
	seen := map[string]bool{}
	want := limit + historySlack
	for seq > 0 && len(out) < want {
		n := min(int64(want-len(out)), seq)
		// Each entry, then the order it names, charged together up front.
		if err := readbudget.Spend(ctx, int(n)*(1+getReads)); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		free := readbudget.Without(ctx)
		ids := make([]string, n)
		err := fanout.Each(free, int(n), fanout.PointReads, func(ctx context.Context, i int) error {
			var d histDoc
			err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: histID(userID, seq-int64(i))}}).Decode(&d)
			if err != nil {
				// Entries are never deleted: a missing one is an error too.
				return fmt.Errorf("read history entry: %w", err)
			}
			ids[i] = d.OrderID
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		seq -= n
		fresh := ids[:0]
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				fresh = append(fresh, id)
			}
		}
		orders, err := s.GetMany(free, fresh)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		for _, o := range orders {
			if o.UserID == userID {
				out = append(out, o)
			}
		}
	}
	ordering.SortNewestFirst(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ListAll returns every user's orders newest first, at most limit. It is
// the one query on orders that is not by _id (a scan on the embedded
// store, an index walk on MongoDB), so only admins reach it.
func (s *Store) ListAll(ctx context.Context, limit int) ([]ordering.Order, error) {
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	return s.findOrders(ctx, bson.D{}, opts)
}

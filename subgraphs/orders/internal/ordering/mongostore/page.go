package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// pageIndexes serve the order connections: each sort key with _id as the
// tie-breaker, alone (staff lists of all orders, optionally by creation
// range) and behind userId (one user's orders) and status (staff lists
// by status), so every page is one index range walk of at most
// limit+1 entries and every count an index count. On MongoDB that is what
// runs; the embedded store (FerretDB on SQLite) pushes only _id equality
// down and scans instead, which bounds it to small shops and tests.
func pageIndexes() []mongo.IndexModel {
	var out []mongo.IndexModel
	for _, sortKey := range []string{"createdAt", "total"} {
		for _, prefix := range []string{"", "userId", "status"} {
			keys := bson.D{}
			if prefix != "" {
				keys = append(keys, bson.E{Key: prefix, Value: 1})
			}
			keys = append(keys, bson.E{Key: sortKey, Value: -1}, bson.E{Key: "_id", Value: -1})
			out = append(out, mongo.IndexModel{Keys: keys})
		}
	}
	return out
}

// sortKey is the order document field a connection sorts on.
func sortKey(f ordering.SortField) string {
	if f == ordering.SortTotal {
		return "total"
	}
	return "createdAt"
}

// keyValue is a cursor key as the document stores it.
func keyValue(f ordering.SortField, key int64) any {
	if f == ordering.SortTotal {
		return key
	}
	return time.UnixMilli(key).UTC()
}

// filterDoc is f as a query on order documents.
func filterDoc(f ordering.Filter) bson.D {
	q := bson.D{}
	if f.UserID != "" {
		q = append(q, bson.E{Key: "userId", Value: f.UserID})
	}
	if f.Status != "" {
		q = append(q, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.From != nil || f.To != nil {
		r := bson.D{}
		if f.From != nil {
			r = append(r, bson.E{Key: "$gte", Value: *f.From})
		}
		if f.To != nil {
			r = append(r, bson.E{Key: "$lte", Value: *f.To})
		}
		q = append(q, bson.E{Key: "createdAt", Value: r})
	}
	return q
}

// Page returns one page of orders by a range query on the sort index:
// documents strictly past q.After in q's order, limit+1 of them to learn
// whether more follow.
func (s *Store) Page(ctx context.Context, q ordering.PageQuery) ([]ordering.PageItem, bool, error) {
	field := sortKey(q.Sort)
	dir, past := 1, "$gt"
	if q.Desc {
		dir, past = -1, "$lt"
	}
	filter := filterDoc(q.Filter)
	if q.After != nil {
		oid, err := primitive.ObjectIDFromHex(q.After.ID)
		if err != nil {
			return nil, false, fmt.Errorf("order page: cursor id: %w", err)
		}
		key := keyValue(q.Sort, q.After.Key)
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: field, Value: bson.D{{Key: past, Value: key}}}},
			bson.D{{Key: field, Value: key}, {Key: "_id", Value: bson.D{{Key: past, Value: oid}}}},
		}})
	}
	if err := readbudget.Spend(ctx, 1); err != nil {
		return nil, false, fmt.Errorf("order page: %w", err)
	}
	opts := options.Find().SetSort(bson.D{{Key: field, Value: dir}, {Key: "_id", Value: dir}}).SetLimit(int64(q.Limit) + 1)
	cur, err := s.orders.Find(ctx, filter, opts)
	if err != nil {
		return nil, false, fmt.Errorf("order page: %w", err)
	}
	var docs []orderDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, false, fmt.Errorf("order page: %w", err)
	}
	more := len(docs) > q.Limit
	if more {
		docs = docs[:q.Limit]
	}
	if err := readbudget.Spend(ctx, getReads*len(docs)); err != nil {
		return nil, false, fmt.Errorf("order page: %w", err)
	}
	free := readbudget.Without(ctx)
	out := make([]ordering.PageItem, len(docs))
	err = fanout.Each(free, len(docs), fanout.PointReads, func(ctx context.Context, i int) error {
		o, err := s.merge(ctx, docs[i])
		if err != nil {
			return err
		}
		c := ordering.Cursor{Sort: q.Sort, ID: docs[i].ID.Hex(), Key: docs[i].Total}
		if q.Sort != ordering.SortTotal {
			c.Key = docs[i].CreatedAt.UnixMilli()
		}
		out[i] = ordering.PageItem{Order: o, Cursor: c}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("order page: %w", err)
	}
	return out, more, nil
}

// Count returns how many order documents match f: an index count on
// MongoDB.
func (s *Store) Count(ctx context.Context, f ordering.Filter) (int, error) {
	if err := readbudget.Spend(ctx, 1); err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	n, err := s.orders.CountDocuments(ctx, filterDoc(f))
	if err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	return int(n), nil
}

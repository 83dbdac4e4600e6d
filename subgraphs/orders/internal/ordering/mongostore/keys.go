package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// keyDoc is an idempotency key record in IndexCollection, _id
// "idem:<userId>:<key>". It is inserted once and never changed.
type keyDoc struct {
	ID      string    `bson:"_id"`
	UserID  string    `bson:"userId"`
	Key     string    `bson:"key"`
	OrderID string    `bson:"orderId"`
	Lines   []lineDoc `bson:"lines"`
	At      time.Time `bson:"at"`
}

// ClaimKey implements ordering.Storer: an insert, and on a duplicate _id a
// point read of the record that won.
func (s *Store) ClaimKey(ctx context.Context, r ordering.KeyRecord) (ordering.KeyRecord, error) {
	id := "idem:" + r.UserID + ":" + r.Key
	err := s.indexIns.InsertOne(ctx, keyDoc{ID: id, UserID: r.UserID, Key: r.Key, OrderID: r.OrderID, Lines: toLineDocs(r.Lines), At: r.At})
	if err == nil {
		return r, nil
	}
	if !mongox.IsDuplicateKey(err) {
		return ordering.KeyRecord{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	var d keyDoc
	if err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return ordering.KeyRecord{}, fmt.Errorf("read idempotency key: %w", err)
	}
	return ordering.KeyRecord{UserID: d.UserID, Key: d.Key, OrderID: d.OrderID, Lines: toLines(d.Lines), At: d.At}, nil
}

// Package mongostore keeps webhooks in MongoDB, one document per webhook in
// the webhooks collection, indexed by product and time.
package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

// Collection is where webhooks are kept.
const Collection = "webhooks"

type doc struct {
	ID        string    `bson:"_id"`
	ProductID string    `bson:"productId"`
	UserID    string    `bson:"userId"`
	Rating    int       `bson:"rating"`
	Body      string    `bson:"body"`
	CreatedAt time.Time `bson:"createdAt"`
}

// Store implements webhooks.Storer.
type Store struct {
	coll *mongo.Collection
}

var _ webhooks.Storer = (*Store)(nil)

// New returns a store over db's webhooks collection, with its index.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	coll := db.Collection(Collection)
	if err := mongox.EnsureIndexes(ctx, coll, mongo.IndexModel{Keys: bson.D{{Key: "productId", Value: 1}, {Key: "createdAt", Value: -1}}}); err != nil {
		return nil, fmt.Errorf("webhooks indexes: %w", err)
	}
	return &Store{coll: coll}, nil
}

// Insert stores r.
func (s *Store) Insert(ctx context.Context, r webhooks.Webhook) error {
	_, err := s.coll.InsertOne(ctx, doc{ID: r.ID, ProductID: r.ProductID, UserID: r.UserID, Rating: r.Rating, Body: r.Body, CreatedAt: r.CreatedAt})
	if err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	return nil
}

// ByProducts returns the newest limit webhooks of each product, one
// query per product over the (productId, createdAt) index.
func (s *Store) ByProducts(ctx context.Context, productIDs []string, limit int) (map[string][]webhooks.Webhook, error) {
	out := make(map[string][]webhooks.Webhook, len(productIDs))
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	for _, id := range productIDs {
		if _, done := out[id]; done {
			continue
		}
		cur, err := s.coll.Find(ctx, bson.D{{Key: "productId", Value: id}}, opts)
		if err != nil {
			return nil, fmt.Errorf("find webhooks: %w", err)
		}
		var docs []doc
		if err := cur.All(ctx, &docs); err != nil {
			return nil, fmt.Errorf("read webhooks: %w", err)
		}
		list := make([]webhooks.Webhook, len(docs))
		for i, d := range docs {
			list[i] = webhooks.Webhook{ID: d.ID, ProductID: d.ProductID, UserID: d.UserID, Rating: d.Rating, Body: d.Body, CreatedAt: d.CreatedAt}
		}
		out[id] = list
	}
	return out, nil
}

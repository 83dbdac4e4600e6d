package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// leaseDoc is one hold lease; leases are inserted and deleted, never updated.
type leaseDoc struct {
	ID        string    `bson:"_id"`
	HoldID    string    `bson:"holdId"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

func (d leaseDoc) lease() catalog.Lease {
	return catalog.Lease{ID: d.ID, HoldID: d.HoldID, ExpiresAt: d.ExpiresAt.UTC()}
}

// HoldMovements implements catalog.Storer.
func (s *Store) HoldMovements(ctx context.Context, holdID string) ([]catalog.Movement, error) {
	return s.findMovements(ctx, "hold movements", bson.D{{Key: "holdId", Value: holdID}}, options.Find().SetProjection(noOutbox))
}

// InsertLease implements catalog.Storer.
func (s *Store) InsertLease(ctx context.Context, l catalog.Lease) error {
	_, err := s.leases.InsertOne(ctx, leaseDoc{ID: l.ID, HoldID: l.HoldID, ExpiresAt: l.ExpiresAt})
	return translate("insert lease", err)
}

// NewestLease implements catalog.Storer.
func (s *Store) NewestLease(ctx context.Context, holdID string) (catalog.Lease, bool, error) {
	var d leaseDoc
	err := s.leases.FindOne(ctx, bson.D{{Key: "holdId", Value: holdID}},
		options.FindOne().SetSort(bson.D{{Key: "expiresAt", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return catalog.Lease{}, false, nil
	}
	if err != nil {
		return catalog.Lease{}, false, translate("newest lease", err)
	}
	return d.lease(), true, nil
}

// ExpiredLeases implements catalog.Storer.
func (s *Store) ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]catalog.Lease, error) {
	cur, err := s.leases.Find(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "expiresAt", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, translate("expired leases", err)
	}
	var docs []leaseDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("expired leases", err)
	}
	out := make([]catalog.Lease, len(docs))
	for i, d := range docs {
		out[i] = d.lease()
	}
	return out, nil
}

// DeleteLease implements catalog.Storer.
func (s *Store) DeleteLease(ctx context.Context, id string) error {
	_, err := s.leases.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return translate("delete lease", err)
}

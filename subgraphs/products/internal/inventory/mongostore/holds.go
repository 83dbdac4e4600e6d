package mongostore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// leaseDoc is one hold lease; leases are inserted and deleted, never
// updated. The sweeper queries them by expiry: the collection holds only
// the leases not yet dealt with.
type leaseDoc struct {
	ID        string    `bson:"_id"`
	HoldID    string    `bson:"holdId"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

func (d leaseDoc) lease() inventory.Lease {
	return inventory.Lease{ID: d.ID, HoldID: d.HoldID, ExpiresAt: d.ExpiresAt.UTC()}
}

// holdDoc is a hold's start and newest expiry, keyed by the hold id.
type holdDoc struct {
	ID        string    `bson:"_id"`
	StartedAt time.Time `bson:"startedAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// holdProductDoc is position n of a hold's product list, keyed "holdId#n".
type holdProductDoc struct {
	ID        string `bson:"_id"`
	HoldID    string `bson:"holdId"`
	N         int    `bson:"n"`
	ProductID string `bson:"productId"`
}

// InsertLease implements inventory.Storer.
func (s *Store) InsertLease(ctx context.Context, l inventory.Lease) error {
	_, err := s.leases.InsertOne(ctx, leaseDoc{ID: l.ID, HoldID: l.HoldID, ExpiresAt: l.ExpiresAt})
	return translate("insert lease", err)
}

// ExtendHold implements inventory.Storer with one $max/$min upsert by `_id`.
func (s *Store) ExtendHold(ctx context.Context, holdID string, t inventory.HoldTimes) error {
	filter := bson.D{{Key: "_id", Value: holdID}}
	update := bson.D{
		{Key: "$max", Value: bson.D{{Key: "expiresAt", Value: t.ExpiresAt}}},
		{Key: "$min", Value: bson.D{{Key: "startedAt", Value: t.StartedAt}}},
	}
	opts := options.Update().SetUpsert(true)
	_, err := s.holds.UpdateOne(ctx, filter, update, opts)
	if err != nil && mongox.IsDuplicateKey(err) {
		// Two first extensions raced to insert the document: it exists now.
		_, err = s.holds.UpdateOne(ctx, filter, update, opts)
	}
	return translate("extend hold", err)
}

// HoldTimes implements inventory.Storer with one point read.
func (s *Store) HoldTimes(ctx context.Context, holdID string) (inventory.HoldTimes, bool, error) {
	var d holdDoc
	err := s.holds.FindOne(ctx, bson.D{{Key: "_id", Value: holdID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return inventory.HoldTimes{}, false, nil
	}
	if err != nil {
		return inventory.HoldTimes{}, false, translate("hold times", err)
	}
	t := inventory.HoldTimes{ExpiresAt: d.ExpiresAt.UTC()}
	if !d.StartedAt.IsZero() {
		t.StartedAt = d.StartedAt.UTC()
	}
	return t, true, nil
}

func holdProductKey(holdID string, n int) string { return holdID + "#" + strconv.Itoa(n) }

// InsertHoldProduct implements inventory.Storer.
func (s *Store) InsertHoldProduct(ctx context.Context, holdID string, n int, productID string) error {
	_, err := s.holdProducts.InsertOne(ctx, holdProductDoc{ID: holdProductKey(holdID, n), HoldID: holdID, N: n, ProductID: productID})
	return translate("list hold product", err)
}

// HoldProduct implements inventory.Storer with one point read.
func (s *Store) HoldProduct(ctx context.Context, holdID string, n int) (string, bool, error) {
	var d holdProductDoc
	err := s.holdProducts.FindOne(ctx, bson.D{{Key: "_id", Value: holdProductKey(holdID, n)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", false, nil
	}
	if err != nil {
		return "", false, translate("hold product", err)
	}
	return d.ProductID, true, nil
}

// ExpiredLeases implements inventory.Storer. It is the one query of the
// hold paths: the sweeper's, over the small lease collection.
func (s *Store) ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]inventory.Lease, error) {
	cur, err := s.leases.Find(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "expiresAt", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, translate("expired leases", err)
	}
	var docs []leaseDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("expired leases", err)
	}
	out := make([]inventory.Lease, len(docs))
	for i, d := range docs {
		out[i] = d.lease()
	}
	return out, nil
}

// DeleteLease implements inventory.Storer.
func (s *Store) DeleteLease(ctx context.Context, id string) error {
	_, err := s.leases.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return translate("delete lease", err)
}

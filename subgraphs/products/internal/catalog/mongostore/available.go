package mongostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// docLocks are striped locks over product ids. The embedded store runs an
// update as a read of the whole document followed by a write of it, so a
// figure written beside a catalog edit of the same document could undo
// the edit; every update of a product document in this process takes its
// stripe. On MongoDB `$set` of other fields is atomic anyway, and the
// embedded store serves one process.
type docLocks struct {
	stripes [64]sync.Mutex
}

// lock takes id's stripe and returns its unlock.
func (l *docLocks) lock(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id)) //nolint:errcheck // a hash's Write never fails
	m := &l.stripes[h.Sum32()%uint32(len(l.stripes))]
	m.Lock()
	return m.Unlock
}

// Availability implements catalog.Storer: the product document and its
// stock documents, read from the database.
func (s *Store) Availability(ctx context.Context, id string) (catalog.Availability, error) {
	p, err := s.Product(ctx, id)
	if err != nil {
		return catalog.Availability{}, err
	}
	o, err := oid(id)
	if err != nil {
		return catalog.Availability{}, err
	}
	var d struct {
		Available *int `bson:"available"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: "available", Value: 1}})
	if err := s.products.FindOne(ctx, bson.D{{Key: "_id", Value: o}}, opts).Decode(&d); err != nil {
		return catalog.Availability{}, translate("find availability", err)
	}
	a := catalog.Availability{Actual: p.Quantity}
	if d.Available != nil {
		a.Stored, a.Known = *d.Available, true
	}
	return a, nil
}

// SetAvailable implements catalog.Storer with one update by `_id` that
// sets the figure alone.
func (s *Store) SetAvailable(ctx context.Context, id string, n int) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	defer s.docLocks.lock(id)()
	res, err := s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: o}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "available", Value: n}}}})
	if err != nil {
		return translate("set available", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("set available: %w", catalog.ErrNotFound)
	}
	return nil
}

// UnlistedProducts implements catalog.Storer: one query for documents
// without the figure, returning their ids only.
func (s *Store) UnlistedProducts(ctx context.Context) ([]string, error) {
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})
	cur, err := s.products.Find(ctx, bson.D{{Key: "available", Value: bson.D{{Key: "$exists", Value: false}}}}, opts)
	if err != nil {
		return nil, translate("unlisted products", err)
	}
	var docs []struct {
		ID primitive.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("unlisted products", err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID.Hex()
	}
	return ids, nil
}

package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// stockDoc is a product's stock snapshot, keyed by the product id (hex).
// Only inventory code writes it, always by `_id` alone.
type stockDoc struct {
	ProductID string    `bson:"_id"`
	Quantity  int       `bson:"quantity"`
	Version   int64     `bson:"version"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// SetStock implements inventory.Storer with one upsert by `_id`.
func (s *Store) SetStock(ctx context.Context, st inventory.Stock) (bool, error) {
	filter := bson.D{{Key: "_id", Value: st.ProductID}}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "quantity", Value: st.Quantity}, {Key: "version", Value: st.Version}, {Key: "updatedAt", Value: st.UpdatedAt},
	}}}
	opts := options.Update().SetUpsert(true)
	var res *mongo.UpdateResult
	upsert := func() error {
		var err error
		res, err = s.stock.UpdateOne(ctx, filter, update, opts)
		return err //nolint:wrapcheck // translated below
	}
	err := s.lane.Do(upsert)
	if err != nil && mongox.IsDuplicateKey(err) {
		// Two first writes raced to insert the document (FerretDB's
		// upsert is a read then an insert): it exists now.
		err = s.lane.Do(upsert)
	}
	if err != nil {
		return false, translate("set stock", err)
	}
	return res.ModifiedCount > 0 || res.UpsertedCount > 0, nil
}

// Stock implements inventory.Storer with one point read.
func (s *Store) Stock(ctx context.Context, productID string) (inventory.Stock, error) {
	var d stockDoc
	if err := s.stock.FindOne(ctx, bson.D{{Key: "_id", Value: productID}}).Decode(&d); err != nil {
		return inventory.Stock{}, translate("find stock", err)
	}
	return inventory.Stock{ProductID: d.ProductID, Quantity: d.Quantity, Version: d.Version, UpdatedAt: d.UpdatedAt.UTC()}, nil
}

// MigrateStock gives every product stored before stock documents existed
// (its quantity and stockVersion were fields of the product document) a
// stock document with that snapshot, unless it has one. The ledger's head
// is then read from it as from any other: entries appended from now on
// follow that version under the new keys. It reads the products whose
// document still carries a stockVersion, once, at start-up.
func (s *Store) MigrateStock(ctx context.Context) error {
	cur, err := s.products.Find(ctx, bson.D{{Key: "stockVersion", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		return translate("migrate stock", err)
	}
	var legacy []struct {
		ID           primitive.ObjectID `bson:"_id"`
		Quantity     int                `bson:"quantity"`
		StockVersion int64              `bson:"stockVersion"`
		UpdatedAt    time.Time          `bson:"updatedAt"`
	}
	if err := cur.All(ctx, &legacy); err != nil {
		return translate("migrate stock", err)
	}
	for _, p := range legacy {
		d := stockDoc{ProductID: p.ID.Hex(), Quantity: p.Quantity, Version: p.StockVersion, UpdatedAt: p.UpdatedAt}
		if _, err := s.stock.InsertOne(ctx, d); err != nil && !mongox.IsDuplicateKey(err) {
			return translate("migrate stock", err)
		}
	}
	return nil
}

// dirtyDoc lists a product whose stock document may lag its ledger.
type dirtyDoc struct {
	ProductID string    `bson:"_id"`
	Since     time.Time `bson:"since"`
}

// MarkDirty implements inventory.Storer with one insert.
func (s *Store) MarkDirty(ctx context.Context, productID string, at time.Time) error {
	err := s.insert(ctx, s.dirty, dirtyDoc{ProductID: productID, Since: at})
	if mongox.IsDuplicateKey(err) {
		return nil
	}
	return translate("mark stock dirty", err)
}

// ClearDirty implements inventory.Storer with one delete by `_id`.
func (s *Store) ClearDirty(ctx context.Context, productID string) error {
	err := s.lane.Do(func() error {
		_, err := s.dirty.DeleteOne(ctx, bson.D{{Key: "_id", Value: productID}})
		return err //nolint:wrapcheck // translated below
	})
	return translate("clear stock dirty", err)
}

// DirtyStock implements inventory.Storer: the one query of the snapshot
// paths, a whole read of the small dirty list.
func (s *Store) DirtyStock(ctx context.Context) ([]inventory.DirtyStock, error) {
	cur, err := s.dirty.Find(ctx, bson.D{})
	if err != nil {
		return nil, translate("dirty stock", err)
	}
	var docs []dirtyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("dirty stock", err)
	}
	out := make([]inventory.DirtyStock, len(docs))
	for i, d := range docs {
		out[i] = inventory.DirtyStock{ProductID: d.ProductID, Since: d.Since.UTC()}
	}
	return out, nil
}

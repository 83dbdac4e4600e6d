package mongostore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

type productDoc struct {
	ID           primitive.ObjectID `bson:"_id"`
	Name         string             `bson:"name"`
	Description  string             `bson:"description"`
	Price        int                `bson:"price"`
	Quantity     int                `bson:"quantity"`
	StockVersion int64              `bson:"stockVersion"`
	CreatedAt    time.Time          `bson:"createdAt"`
	UpdatedAt    time.Time          `bson:"updatedAt"`
	DeletedAt    *time.Time         `bson:"deletedAt"`
}

func (d productDoc) product() catalog.Product {
	p := catalog.Product{
		ID: d.ID.Hex(), Name: d.Name, Description: d.Description, Price: d.Price, Quantity: d.Quantity,
		StockVersion: d.StockVersion, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.DeletedAt != nil {
		t := d.DeletedAt.UTC()
		p.DeletedAt = &t
	}
	return p
}

func oid(id string) (primitive.ObjectID, error) {
	o, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return o, fmt.Errorf("product id %q: %w", id, catalog.ErrNotFound)
	}
	return o, nil
}

// InsertProduct implements catalog.Storer.
func (s *Store) InsertProduct(ctx context.Context, p catalog.Product) error {
	id, err := oid(p.ID)
	if err != nil {
		return err
	}
	d := productDoc{ID: id, Name: p.Name, Description: p.Description, Price: p.Price, Quantity: p.Quantity,
		StockVersion: p.StockVersion, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, DeletedAt: p.DeletedAt}
	_, err = s.products.InsertOne(ctx, d)
	return translate("insert product", err)
}

// UpdateProductData implements catalog.Storer.
func (s *Store) UpdateProductData(ctx context.Context, p catalog.Product) error {
	id, err := oid(p.ID)
	if err != nil {
		return err
	}
	res, err := s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: p.Name}, {Key: "description", Value: p.Description},
		{Key: "price", Value: p.Price}, {Key: "updatedAt", Value: p.UpdatedAt},
	}}})
	if err != nil {
		return translate("update product", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update product: %w", catalog.ErrNotFound)
	}
	return nil
}

// MarkDeleted implements catalog.Storer.
func (s *Store) MarkDeleted(ctx context.Context, id string, at time.Time) error {
	o, err := oid(id)
	if err != nil {
		return err
	}
	_, err = s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: o}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "deletedAt", Value: at}, {Key: "updatedAt", Value: at}}}})
	return translate("delete product", err)
}

// SetStock implements catalog.Storer.
func (s *Store) SetStock(ctx context.Context, id string, quantity int, version int64, at time.Time) (bool, error) {
	o, err := oid(id)
	if err != nil {
		return false, err
	}
	res, err := s.products.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: o}, {Key: "stockVersion", Value: bson.D{{Key: "$lt", Value: version}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "quantity", Value: quantity}, {Key: "stockVersion", Value: version}, {Key: "updatedAt", Value: at}}}})
	if err != nil {
		return false, translate("set stock", err)
	}
	return res.ModifiedCount > 0, nil
}

// StockVersion implements catalog.Storer.
func (s *Store) StockVersion(ctx context.Context, id string) (int64, error) {
	o, err := oid(id)
	if err != nil {
		return 0, err
	}
	var d struct {
		StockVersion int64 `bson:"stockVersion"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: "stockVersion", Value: 1}})
	if err := s.products.FindOne(ctx, bson.D{{Key: "_id", Value: o}}, opts).Decode(&d); err != nil {
		return 0, translate("stock version", err)
	}
	return d.StockVersion, nil
}

// Product implements catalog.Storer.
func (s *Store) Product(ctx context.Context, id string) (catalog.Product, error) {
	o, err := oid(id)
	if err != nil {
		return catalog.Product{}, err
	}
	var d productDoc
	if err := s.products.FindOne(ctx, bson.D{{Key: "_id", Value: o}}).Decode(&d); err != nil {
		return catalog.Product{}, translate("find product", err)
	}
	return d.product(), nil
}

// ProductsByIDs implements catalog.Storer with one $in query.
func (s *Store) ProductsByIDs(ctx context.Context, ids []string) ([]catalog.Product, error) {
	oids := make([]primitive.ObjectID, 0, len(ids))
	for _, id := range ids {
		if o, err := oid(id); err == nil {
			oids = append(oids, o)
		}
	}
	cur, err := s.products.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}})
	if err != nil {
		return nil, translate("find products", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("read products", err)
	}
	out := make([]catalog.Product, len(docs))
	for i, d := range docs {
		out[i] = d.product()
	}
	return out, nil
}

// ListProducts implements catalog.Storer.
func (s *Store) ListProducts(ctx context.Context, q catalog.ListQuery) ([]catalog.Product, error) {
	filter := bson.D{{Key: "deletedAt", Value: nil}}
	if q.Search != "" {
		filter = append(filter, bson.E{Key: "name", Value: primitive.Regex{Pattern: regexp.QuoteMeta(q.Search), Options: "i"}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetSkip(int64(q.Skip)).SetLimit(int64(q.Take))
	cur, err := s.products.Find(ctx, filter, opts)
	if err != nil {
		return nil, translate("list products", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list products", err)
	}
	out := make([]catalog.Product, len(docs))
	for i, d := range docs {
		out[i] = d.product()
	}
	return out, nil
}

type changeDoc struct {
	ID        primitive.ObjectID `bson:"_id"`
	ProductID string             `bson:"productId"`
	Type      string             `bson:"type"`
	At        time.Time          `bson:"at"`
	Outbox    outbox.Entry       `bson:"outbox"`
}

// RecordChange implements catalog.Storer. Product events live in their own
// insert-only collection rather than in the product document: the relay's
// "mark sent" update would otherwise race with stock snapshot updates on
// FerretDB, whose updates rewrite the whole document.
func (s *Store) RecordChange(ctx context.Context, c catalog.Change) error {
	p := c.Product
	env, err := events.New(string(c.Type), c.At, events.ProductData{
		ProductID: p.ID, Name: p.Name, Price: p.Price, Quantity: p.Quantity, Deleted: p.Deleted(),
	})
	if err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	d := changeDoc{ID: primitive.NewObjectID(), ProductID: p.ID, Type: string(c.Type), At: c.At,
		Outbox: outbox.NewEntry(s.topic, p.ID, c.At.UnixNano(), env)}
	_, err = s.changes.InsertOne(ctx, d)
	return translate("record change", err)
}

package mongostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// productDoc holds a product's catalog data. Its stock lives in a stock
// document of its own, which only inventory code writes.
type productDoc struct {
	ID          primitive.ObjectID `bson:"_id"`
	Name        string             `bson:"name"`
	Description string             `bson:"description"`
	Price       int                `bson:"price"`
	CreatedAt   time.Time          `bson:"createdAt"`
	UpdatedAt   time.Time          `bson:"updatedAt"`
	DeletedAt   *time.Time         `bson:"deletedAt"`
	// The fields below were added with variants and categories: a product
	// stored before them reads them as empty.
	SKU         string              `bson:"sku,omitempty"`
	VariantName string              `bson:"variantName,omitempty"`
	Attributes  []catalog.Attribute `bson:"attributes,omitempty"`
	Images      []catalog.Image     `bson:"images,omitempty"`
	CategoryIDs []string            `bson:"categoryIds,omitempty"`
	// Available is the denormalized quantity across every variant that
	// the connection filters and sorts on (see SetAvailable); nil for a
	// product stored before it, until the start-up backfill.
	Available *int `bson:"available,omitempty"`
}

func (d productDoc) product() catalog.Product {
	p := catalog.Product{
		ID: d.ID.Hex(), Name: d.Name, Description: d.Description, Price: d.Price,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		SKU: d.SKU, VariantName: d.VariantName, Attributes: d.Attributes, Images: d.Images, CategoryIDs: d.CategoryIDs,
	}
	if d.Available != nil {
		p.Listed = *d.Available
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

// InsertProduct implements catalog.Storer: the catalog data only (Create
// has the inventory write the stock document first).
func (s *Store) InsertProduct(ctx context.Context, p catalog.Product) error {
	id, err := oid(p.ID)
	if err != nil {
		return err
	}
	d := productDoc{ID: id, Name: p.Name, Description: p.Description, Price: p.Price,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, DeletedAt: p.DeletedAt,
		SKU: p.SKU, VariantName: p.VariantName, Attributes: p.Attributes, Images: p.Images, CategoryIDs: p.CategoryIDs,
		Available: &p.Listed}
	_, err = s.products.InsertOne(ctx, d)
	return translate("insert product", err)
}

// UpdateProductData implements catalog.Storer.
func (s *Store) UpdateProductData(ctx context.Context, p catalog.Product) error {
	id, err := oid(p.ID)
	if err != nil {
		return err
	}
	defer s.docLocks.lock(p.ID)()
	res, err := s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: p.Name}, {Key: "description", Value: p.Description},
		{Key: "price", Value: p.Price}, {Key: "updatedAt", Value: p.UpdatedAt},
		{Key: "sku", Value: p.SKU}, {Key: "variantName", Value: p.VariantName},
		{Key: "attributes", Value: p.Attributes}, {Key: "images", Value: p.Images},
		{Key: "categoryIds", Value: p.CategoryIDs},
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
	defer s.docLocks.lock(id)()
	_, err = s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: o}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "deletedAt", Value: at}, {Key: "updatedAt", Value: at}}}})
	return translate("delete product", err)
}

// ProductData implements catalog.Storer with one point read.
func (s *Store) ProductData(ctx context.Context, id string) (catalog.Product, error) {
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

// Product implements catalog.Storer: the product and its stock document,
// two point reads run concurrently.
func (s *Store) Product(ctx context.Context, id string) (catalog.Product, error) {
	var st inventory.Stock
	var serr error
	var wg sync.WaitGroup
	wg.Go(func() { st, serr = s.stock.Stock(ctx, id) })
	p, err := s.ProductData(ctx, id)
	wg.Wait()
	if err != nil {
		return catalog.Product{}, err
	}
	if serr != nil && !errors.Is(serr, inventory.ErrNotFound) {
		return catalog.Product{}, serr
	}
	return s.withVariants(ctx, withStock(p, st))
}

// withStock adds a stock document to a product's data. A product without
// one (its creation was interrupted) shows no units.
func withStock(p catalog.Product, st inventory.Stock) catalog.Product {
	p.Quantity, p.StockVersion, p.DefaultQuantity = st.Quantity, st.Version, st.Quantity
	if st.UpdatedAt.After(p.UpdatedAt) {
		p.UpdatedAt = st.UpdatedAt
	}
	return p
}

// ProductsByIDs implements catalog.Storer with point reads (two per id),
// a few at a time: a filter on several ids is not pushed down to the
// embedded store's index, while a filter on one `_id` is.
func (s *Store) ProductsByIDs(ctx context.Context, ids []string) ([]catalog.Product, error) {
	found := make([]*catalog.Product, len(ids))
	err := fanout.Each(ctx, len(ids), fanout.PointReads, func(ctx context.Context, i int) error {
		p, err := s.Product(ctx, ids[i])
		if errors.Is(err, catalog.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found[i] = &p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find products: %w", err)
	}
	out := make([]catalog.Product, 0, len(ids))
	for _, p := range found {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, nil
}

// ListProducts implements catalog.Storer: one query for the page, then a
// point read of each product's stock document.
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
	err = fanout.Each(ctx, len(docs), fanout.PointReads, func(ctx context.Context, i int) error {
		p := docs[i].product()
		st, err := s.stock.Stock(ctx, p.ID)
		if err != nil && !errors.Is(err, inventory.ErrNotFound) {
			return err
		}
		out[i], err = s.withVariants(ctx, withStock(p, st))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
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
// insert-only collection rather than in the product document, so product
// edits (whole-document rewrites on FerretDB) and events never touch the
// same document.
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
	if err := s.outbox.Add(ctx, ChangesColl, d.ID, d.Outbox); err != nil {
		return translate("record change", err)
	}
	if _, err := s.changes.InsertOne(ctx, d); err != nil {
		s.outbox.Discard(context.WithoutCancel(ctx), d.Outbox.EventID)
		return translate("record change", err)
	}
	return nil
}

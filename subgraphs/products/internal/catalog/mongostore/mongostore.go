// Package mongostore implements catalog.Storer on MongoDB (or FerretDB):
// product documents and their change records. A product's stock document
// is the inventory's (inventory/mongostore): this store only reads it, by
// `_id`, to serve a product with its quantity.
package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/mongoerr"
)

// Collection names.
const (
	ProductsColl = "products"
	ChangesColl  = "product_changes"
)

// StockReader reads a product's stock document by `_id` (the inventory
// store), or returns inventory.ErrNotFound.
type StockReader interface {
	Stock(ctx context.Context, productID string) (inventory.Stock, error)
}

// Store is the MongoDB catalog store.
type Store struct {
	db       *mongo.Database
	products *mongo.Collection
	changes  *mongo.Collection
	// stock reads the stock documents products are served with.
	stock StockReader
	// outbox takes each event just before the write that carries it.
	outbox *outbox.Store
	// topic is the Kafka topic of the events stored with each write.
	topic string
	// docLocks serializes this process's updates of one product document
	// (see SetAvailable).
	docLocks *docLocks
}

// New returns a store over db whose events go to topic, added to ob (the
// outbox the process's other stores of db share), and whose products are
// served with the stock documents stock reads.
func New(db *mongo.Database, topic string, ob *outbox.Store, stock StockReader) *Store {
	return &Store{
		db:       db,
		products: db.Collection(ProductsColl),
		changes:  db.Collection(ChangesColl),
		stock:    stock,
		outbox:   ob,
		topic:    topic,
		docLocks: &docLocks{},
	}
}

// EnsureIndexes creates the index of the product list.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	model := mongo.IndexModel{Keys: bson.D{{Key: "deletedAt", Value: 1}, {Key: "_id", Value: 1}}}
	if err := mongox.EnsureIndexes(ctx, s.products, append([]mongo.IndexModel{model}, pageIndexes()...)...); err != nil {
		return fmt.Errorf("ensure indexes: %w", err)
	}
	return nil
}

// translate maps driver errors to catalog sentinels.
func translate(op string, err error) error {
	return mongoerr.Translate(op, err, catalog.ErrNotFound, catalog.ErrDuplicate)
}

var _ catalog.Storer = (*Store)(nil)

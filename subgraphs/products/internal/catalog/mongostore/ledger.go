package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

type movementDoc struct {
	ID        primitive.ObjectID `bson:"_id"`
	ProductID string             `bson:"productId"`
	Version   int64              `bson:"version"`
	Kind      string             `bson:"kind"`
	Delta     int                `bson:"delta"`
	Balance   int                `bson:"balance"`
	OrderID   string             `bson:"orderId,omitempty"`
	OpKey     string             `bson:"opKey"`
	UnitPrice int                `bson:"unitPrice,omitempty"`
	HoldID    string             `bson:"holdId,omitempty"`
	Converted int                `bson:"converted,omitempty"`
	CreatedAt time.Time          `bson:"createdAt"`
	Outbox    *outbox.Entry      `bson:"outbox,omitempty"`
}

func (d movementDoc) movement() catalog.Movement {
	return catalog.Movement{
		ProductID: d.ProductID, Version: d.Version, Kind: catalog.Kind(d.Kind), Delta: d.Delta, Balance: d.Balance,
		OrderID: d.OrderID, OpKey: d.OpKey, UnitPrice: d.UnitPrice, HoldID: d.HoldID, Converted: d.Converted, CreatedAt: d.CreatedAt.UTC(),
	}
}

// noOutbox leaves the (large) outbox field out of reads.
var noOutbox = bson.D{{Key: "outbox", Value: 0}}

// AppendMovement implements catalog.Storer: one insert carrying the
// StockChanged event, keyed by product id and ordered by version.
func (s *Store) AppendMovement(ctx context.Context, m catalog.Movement) error {
	env, err := events.New(events.StockChanged, m.CreatedAt, events.StockChangedData{
		ProductID: m.ProductID, Quantity: m.Balance, Delta: m.Delta, Reason: string(m.Kind), OrderID: m.OrderID, Version: m.Version,
	})
	if err != nil {
		return fmt.Errorf("append movement: %w", err)
	}
	entry := outbox.NewEntry(s.topic, m.ProductID, m.Version, env)
	d := movementDoc{
		ID: primitive.NewObjectID(), ProductID: m.ProductID, Version: m.Version, Kind: string(m.Kind), Delta: m.Delta,
		Balance: m.Balance, OrderID: m.OrderID, OpKey: m.OpKey, UnitPrice: m.UnitPrice, HoldID: m.HoldID, Converted: m.Converted,
		CreatedAt: m.CreatedAt, Outbox: &entry,
	}
	_, err = s.ledger.InsertOne(ctx, d)
	return translate("append movement", err)
}

// Head implements catalog.Storer.
func (s *Store) Head(ctx context.Context, productID string) (catalog.Movement, bool, error) {
	var d movementDoc
	err := s.ledger.FindOne(ctx, bson.D{{Key: "productId", Value: productID}},
		options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}}).SetProjection(noOutbox)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return catalog.Movement{ProductID: productID}, false, nil
	}
	if err != nil {
		return catalog.Movement{}, false, translate("ledger head", err)
	}
	return d.movement(), true, nil
}

// FindMovement implements catalog.Storer.
func (s *Store) FindMovement(ctx context.Context, productID string, kind catalog.Kind, opKey string) (catalog.Movement, bool, error) {
	var d movementDoc
	err := s.ledger.FindOne(ctx, bson.D{{Key: "opKey", Value: opKey}, {Key: "productId", Value: productID}, {Key: "kind", Value: string(kind)}},
		options.FindOne().SetProjection(noOutbox)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return catalog.Movement{}, false, nil
	}
	if err != nil {
		return catalog.Movement{}, false, translate("find movement", err)
	}
	return d.movement(), true, nil
}

// OperationMovements implements catalog.Storer.
func (s *Store) OperationMovements(ctx context.Context, productID string, opKeys []string) ([]catalog.Movement, error) {
	filter := bson.D{{Key: "opKey", Value: bson.D{{Key: "$in", Value: opKeys}}}, {Key: "productId", Value: productID}}
	return s.findMovements(ctx, "operation movements", filter, options.Find().SetProjection(noOutbox))
}

// OrderMovements implements catalog.Storer.
func (s *Store) OrderMovements(ctx context.Context, orderID string) ([]catalog.Movement, error) {
	return s.findMovements(ctx, "order movements", bson.D{{Key: "orderId", Value: orderID}}, options.Find().SetProjection(noOutbox))
}

// Movements implements catalog.Storer.
func (s *Store) Movements(ctx context.Context, productID string, skip, take int) ([]catalog.Movement, error) {
	opts := options.Find().SetSort(bson.D{{Key: "version", Value: -1}}).SetSkip(int64(skip)).SetLimit(int64(take)).SetProjection(noOutbox)
	return s.findMovements(ctx, "movements", bson.D{{Key: "productId", Value: productID}}, opts)
}

func (s *Store) findMovements(ctx context.Context, op string, filter bson.D, opts *options.FindOptions) ([]catalog.Movement, error) {
	cur, err := s.ledger.Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(op, err)
	}
	var docs []movementDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(op, err)
	}
	out := make([]catalog.Movement, len(docs))
	for i, d := range docs {
		out[i] = d.movement()
	}
	return out, nil
}

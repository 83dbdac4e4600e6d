package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// movementDoc is a ledger entry, keyed by inventory.LedgerKey. opId and
// holdLine carry unique indexes (holdLine falls back to the entry's own
// key, so every entry has a distinct one). The same shape, without the
// outbox, is a record in the operations collection.
type movementDoc struct {
	ID        string        `bson:"_id"`
	ProductID string        `bson:"productId"`
	Version   int64         `bson:"version"`
	Kind      string        `bson:"kind"`
	Delta     int           `bson:"delta"`
	Balance   int           `bson:"balance"`
	OrderID   string        `bson:"orderId,omitempty"`
	OpKey     string        `bson:"opKey"`
	OpID      string        `bson:"opId"`
	UnitPrice int           `bson:"unitPrice,omitempty"`
	HoldID    string        `bson:"holdId,omitempty"`
	Converted int           `bson:"converted,omitempty"`
	HoldLine  string        `bson:"holdLine"`
	Held      int           `bson:"held,omitempty"`
	CreatedAt time.Time     `bson:"createdAt"`
	Outbox    *outbox.Entry `bson:"outbox,omitempty"`
}

func newMovementDoc(id string, m inventory.Movement) movementDoc {
	line := m.HoldLine
	if line == "" {
		line = inventory.LedgerKey(m.ProductID, m.Version)
	}
	return movementDoc{
		ID: id, ProductID: m.ProductID, Version: m.Version, Kind: string(m.Kind), Delta: m.Delta,
		Balance: m.Balance, OrderID: m.OrderID, OpKey: m.OpKey, OpID: m.OpID(), UnitPrice: m.UnitPrice, HoldID: m.HoldID,
		Converted: m.Converted, HoldLine: line, Held: m.Held, CreatedAt: m.CreatedAt,
	}
}

func (d movementDoc) movement() inventory.Movement {
	m := inventory.Movement{
		ProductID: d.ProductID, Version: d.Version, Kind: inventory.Kind(d.Kind), Delta: d.Delta, Balance: d.Balance,
		OrderID: d.OrderID, OpKey: d.OpKey, UnitPrice: d.UnitPrice, HoldID: d.HoldID, Converted: d.Converted,
		Held: d.Held, CreatedAt: d.CreatedAt.UTC(),
	}
	if d.HoldLine != inventory.LedgerKey(d.ProductID, d.Version) {
		m.HoldLine = d.HoldLine
	}
	return m
}

// noOutbox leaves the (large) outbox field out of reads.
var noOutbox = bson.D{{Key: "outbox", Value: 0}}

// AppendMovement implements inventory.Storer: one insert carrying the
// StockChanged event, keyed by product id and version, after the event's
// outbox entry (see platform/outbox).
func (s *Store) AppendMovement(ctx context.Context, m inventory.Movement) error {
	env, err := events.New(events.StockChanged, m.CreatedAt, events.StockChangedData{
		ProductID: m.ProductID, Quantity: m.Balance, Delta: m.Delta, Reason: string(m.Kind), OrderID: m.OrderID, Version: m.Version,
	})
	if err != nil {
		return fmt.Errorf("append movement: %w", err)
	}
	entry := outbox.NewEntry(s.topic, m.ProductID, m.Version, env)
	d := newMovementDoc(inventory.LedgerKey(m.ProductID, m.Version), m)
	d.Outbox = &entry
	if err := s.outbox.Add(ctx, LedgerColl, d.ID, entry); err != nil {
		return translate("append movement", err)
	}
	if err := s.insert(ctx, s.ledger, d); err != nil {
		s.outbox.Discard(context.WithoutCancel(ctx), entry.EventID)
		return translate("append movement", err)
	}
	return nil
}

// Movement implements inventory.Storer with one point read.
func (s *Store) Movement(ctx context.Context, productID string, version int64) (inventory.Movement, bool, error) {
	return s.findOneMovement(ctx, s.ledger, "ledger entry", bson.D{{Key: "_id", Value: inventory.LedgerKey(productID, version)}})
}

// MovementByOp implements inventory.Storer through the opId index.
func (s *Store) MovementByOp(ctx context.Context, opID string) (inventory.Movement, bool, error) {
	return s.findOneMovement(ctx, s.ledger, "find operation", bson.D{{Key: "opId", Value: opID}})
}

// MovementByHoldLine implements inventory.Storer through the holdLine index.
func (s *Store) MovementByHoldLine(ctx context.Context, key string) (inventory.Movement, bool, error) {
	return s.findOneMovement(ctx, s.ledger, "find hold line", bson.D{{Key: "holdLine", Value: key}})
}

// InsertOp implements inventory.Storer.
func (s *Store) InsertOp(ctx context.Context, key string, m inventory.Movement) error {
	err := s.insert(ctx, s.ops, newMovementDoc(key, m))
	return translate("record operation", err)
}

// Op implements inventory.Storer with one point read.
func (s *Store) Op(ctx context.Context, key string) (inventory.Movement, bool, error) {
	return s.findOneMovement(ctx, s.ops, "read operation", bson.D{{Key: "_id", Value: key}})
}

func (s *Store) findOneMovement(ctx context.Context, coll *mongo.Collection, op string, filter bson.D) (inventory.Movement, bool, error) {
	var d movementDoc
	err := coll.FindOne(ctx, filter, options.FindOne().SetProjection(noOutbox)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return inventory.Movement{}, false, nil
	}
	if err != nil {
		return inventory.Movement{}, false, translate(op, err)
	}
	return d.movement(), true, nil
}

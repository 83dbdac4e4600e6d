// Package mongostore stores orders in MongoDB (or FerretDB). Orders live in
// one collection, their transitions in another whose _id is
// "<orderId>:<step>": the _id index is the unique key that makes every
// state change a single atomic insert, the only write FerretDB guarantees
// atomically. Transition documents carry the outbox event of the change.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Collection names.
const (
	OrdersCollection      = "orders"
	TransitionsCollection = "order_transitions"
)

// Store implements ordering.Storer.
type Store struct {
	orders      *mongo.Collection
	transitions *mongo.Collection
}

// New returns a store over db; call EnsureIndexes once at start-up.
func New(db *mongo.Database) *Store {
	return &Store{orders: db.Collection(OrdersCollection), transitions: db.Collection(TransitionsCollection)}
}

// Transitions is the collection the outbox relay must watch.
func (s *Store) Transitions() *mongo.Collection { return s.transitions }

// EnsureIndexes creates the indexes the queries and the relay need.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := mongox.EnsureIndexes(ctx, s.orders,
		mongo.IndexModel{Keys: bson.D{{Key: "userId", Value: 1}, {Key: "createdAt", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "createdAt", Value: 1}}},
	); err != nil {
		return fmt.Errorf("ensure order indexes: %w", err)
	}
	if err := mongox.EnsureIndexes(ctx, s.transitions,
		mongo.IndexModel{Keys: bson.D{{Key: "orderId", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "applied", Value: 1}, {Key: "at", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "needsRelease", Value: 1}, {Key: "released", Value: 1}, {Key: "at", Value: 1}}},
		outbox.Index(),
	); err != nil {
		return fmt.Errorf("ensure transition indexes: %w", err)
	}
	return nil
}

type lineDoc struct {
	ProductID string `bson:"productId"`
	Quantity  int    `bson:"quantity"`
	UnitPrice int    `bson:"unitPrice"`
}

type orderDoc struct {
	ID        primitive.ObjectID `bson:"_id"`
	UserID    string             `bson:"userId"`
	Lines     []lineDoc          `bson:"lines"`
	Status    string             `bson:"status"`
	StatusSeq int                `bson:"statusSeq"`
	Total     int                `bson:"total"`
	CreatedAt time.Time          `bson:"createdAt"`
	UpdatedAt time.Time          `bson:"updatedAt"`
}

type transitionDoc struct {
	ID           string        `bson:"_id"`
	OrderID      string        `bson:"orderId"`
	Step         int           `bson:"step"`
	From         string        `bson:"from"`
	To           string        `bson:"to"`
	Lines        []lineDoc     `bson:"lines,omitempty"`
	Total        int           `bson:"total"`
	Reason       string        `bson:"reason,omitempty"`
	At           time.Time     `bson:"at"`
	NeedsRelease bool          `bson:"needsRelease"`
	Released     bool          `bson:"released"`
	Applied      bool          `bson:"applied"`
	Outbox       *outbox.Entry `bson:"outbox,omitempty"`
}

func transitionID(orderID string, step int) string { return orderID + ":" + strconv.Itoa(step) }

func toLineDocs(ls []ordering.Line) []lineDoc {
	if ls == nil {
		return nil
	}
	out := make([]lineDoc, len(ls))
	for i, l := range ls {
		out[i] = lineDoc(l)
	}
	return out
}

func toLines(ls []lineDoc) []ordering.Line {
	if ls == nil {
		return nil
	}
	out := make([]ordering.Line, len(ls))
	for i, l := range ls {
		out[i] = ordering.Line(l)
	}
	return out
}

func (d orderDoc) order() ordering.Order {
	return ordering.Order{ID: d.ID.Hex(), UserID: d.UserID, Lines: toLines(d.Lines), Status: ordering.Status(d.Status), Total: d.Total, CreatedAt: d.CreatedAt}
}

func (d transitionDoc) transition() ordering.Transition {
	return ordering.Transition{
		OrderID: d.OrderID, Step: d.Step, From: ordering.Status(d.From), To: ordering.Status(d.To),
		Lines: toLines(d.Lines), Total: d.Total, Reason: d.Reason, At: d.At,
		NeedsRelease: d.NeedsRelease, Released: d.Released, Outbox: d.Outbox,
	}
}

// Create inserts a new (PENDING) order.
func (s *Store) Create(ctx context.Context, o ordering.Order) error {
	oid, err := primitive.ObjectIDFromHex(o.ID)
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	now := o.CreatedAt
	d := orderDoc{ID: oid, UserID: o.UserID, Lines: toLineDocs(o.Lines), Status: string(o.Status), Total: o.Total, CreatedAt: now, UpdatedAt: now}
	if _, err := s.orders.InsertOne(ctx, d); err != nil {
		if mongox.IsDuplicateKey(err) {
			return fmt.Errorf("create order: %w", ordering.ErrExists)
		}
		return fmt.Errorf("create order: %w", err)
	}
	return nil
}

// AppendTransition inserts t; ordering.ErrStepTaken when the step exists.
func (s *Store) AppendTransition(ctx context.Context, t ordering.Transition) error {
	d := transitionDoc{
		ID: transitionID(t.OrderID, t.Step), OrderID: t.OrderID, Step: t.Step, From: string(t.From), To: string(t.To),
		Lines: toLineDocs(t.Lines), Total: t.Total, Reason: t.Reason, At: t.At,
		NeedsRelease: t.NeedsRelease, Released: t.Released, Outbox: t.Outbox,
	}
	if _, err := s.transitions.InsertOne(ctx, d); err != nil {
		if mongox.IsDuplicateKey(err) {
			return ordering.ErrStepTaken
		}
		return fmt.Errorf("append transition: %w", err)
	}
	return nil
}

// Transition returns one step of an order, or ordering.ErrNotFound.
func (s *Store) Transition(ctx context.Context, orderID string, step int) (ordering.Transition, error) {
	var d transitionDoc
	err := s.transitions.FindOne(ctx, bson.D{{Key: "_id", Value: transitionID(orderID, step)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ordering.Transition{}, ordering.ErrNotFound
	}
	if err != nil {
		return ordering.Transition{}, fmt.Errorf("get transition: %w", err)
	}
	return d.transition(), nil
}

// ApplySnapshot copies t into its order document with a single-key
// {_id} update (any other filter is a full scan on the embedded store).
//
// The update cannot be conditional on the step already there: FerretDB
// runs it as a read followed by a whole-document write, so a slow writer
// of step 1 can overwrite a faster writer's step 2. Instead every writer,
// after writing step n, reads transition n+1 by _id and, when it exists,
// writes that step too. A transition is inserted before its snapshot is
// written, so whichever writer writes last sees every step taken before
// its write and leaves the newest one; reads merge the transitions after
// the snapshot anyway, so a lagging snapshot never shows a wrong status.
func (s *Store) ApplySnapshot(ctx context.Context, t ordering.Transition) error {
	oid, err := primitive.ObjectIDFromHex(t.OrderID)
	if err != nil {
		return fmt.Errorf("apply snapshot: %w", err)
	}
	applied := []ordering.Transition{t}
	for {
		set := bson.D{{Key: "status", Value: string(t.To)}, {Key: "statusSeq", Value: t.Step}, {Key: "updatedAt", Value: t.At}}
		if len(t.Lines) > 0 {
			set = append(set, bson.E{Key: "lines", Value: toLineDocs(t.Lines)}, bson.E{Key: "total", Value: t.Total})
		}
		if _, err := s.orders.UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}}, bson.D{{Key: "$set", Value: set}}); err != nil {
			return fmt.Errorf("apply snapshot: %w", err)
		}
		if t.Step >= ordering.LastStep {
			break
		}
		next, ok, err := s.findTransition(ctx, t.OrderID, t.Step+1)
		if err != nil {
			return fmt.Errorf("apply snapshot: %w", err)
		}
		if !ok {
			break
		}
		t = next
		applied = append(applied, t)
	}
	for _, t := range applied {
		if _, err := s.transitions.UpdateOne(ctx, bson.D{{Key: "_id", Value: transitionID(t.OrderID, t.Step)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}}); err != nil {
			return fmt.Errorf("mark snapshot applied: %w", err)
		}
	}
	return nil
}

// MarkReleased records that products acknowledged the release owed by a step.
func (s *Store) MarkReleased(ctx context.Context, orderID string, step int) error {
	if _, err := s.transitions.UpdateOne(ctx, bson.D{{Key: "_id", Value: transitionID(orderID, step)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "released", Value: true}}}}); err != nil {
		return fmt.Errorf("mark released: %w", err)
	}
	return nil
}

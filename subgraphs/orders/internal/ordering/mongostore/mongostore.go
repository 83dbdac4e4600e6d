// Package mongostore stores orders in MongoDB (or FerretDB). Orders live in
// one collection, their transitions in another whose _id is
// "<orderId>:<step>": the _id index is the unique key that makes every
// state change a single atomic insert, the only write FerretDB guarantees
// atomically. Transition documents carry the event of the change, which is
// added to the outbox collection just before (see platform/outbox).
//
// Every operation on the order paths is an insert or a point operation on
// a single-key {_id} filter: the embedded store pushes no other filter
// down and would scan (and decode) the whole collection. The collections:
//
//   - orders: one document per order, inserted PENDING; afterwards only
//     its snapshot of the newest transition is rewritten;
//   - order_transitions: insert-only steps with their events;
//   - outbox: events waiting for the relay (platform/outbox);
//   - order_releases: insert-only acknowledgements of owed releases;
//   - order_work: the unsettled steps recovery reads (work.go);
//   - order_index: users' histories and idempotency keys (history.go,
//     keys.go);
//   - leases: the recovery and outbox leases' slot records (platform/lease).
//
// No document has two kinds of writer: FerretDB runs every update as a
// read followed by a whole-document write, and two writers of one
// document undo each other. The only scan is the admin list of all
// orders (bounded), besides recovery reading its short work list.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/groupcommit"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Collection names.
const (
	OrdersCollection      = "orders"
	TransitionsCollection = "order_transitions"
	// ReleasesCollection holds one insert-only document per release
	// products acknowledged, _id "<orderId>:<step>".
	ReleasesCollection = "order_releases"
	// WorkCollection is the work list recovery reads (see work.go).
	WorkCollection = "order_work"
)

// Store implements ordering.Storer.
type Store struct {
	orders      *mongo.Collection
	transitions *mongo.Collection
	releases    *mongo.Collection
	work        *mongo.Collection
	index       *mongo.Collection
	outbox      *outbox.Store
	// Inserts on the order paths go through group commit: concurrent
	// orders share write calls (see platform/groupcommit); those and the
	// order paths' updates and deletes take one lane, so the database
	// sees one write call of this process at a time.
	ordersIns, transitionsIns, releasesIns, workIns, indexIns *groupcommit.Inserter
	lane                                                      *groupcommit.Lane
}

// New returns a store over db; call EnsureIndexes once at start-up.
func New(db *mongo.Database) *Store {
	s := &Store{
		orders:      db.Collection(OrdersCollection),
		transitions: db.Collection(TransitionsCollection),
		releases:    db.Collection(ReleasesCollection),
		work:        db.Collection(WorkCollection),
		index:       db.Collection(IndexCollection),
		lane:        &groupcommit.Lane{},
	}
	s.outbox = outbox.NewStore(db, s.lane)
	in := groupcommit.Options{Lane: s.lane}
	s.ordersIns = groupcommit.New(s.orders, in)
	s.transitionsIns = groupcommit.New(s.transitions, in)
	s.releasesIns = groupcommit.New(s.releases, in)
	s.workIns = groupcommit.New(s.work, in)
	s.indexIns = groupcommit.New(s.index, in)
	return s
}

// EnsureIndexes creates the indexes the queries and the relay need.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	// The admin list and the connections (page.go); the order paths and
	// `orders` of a customer read by _id.
	if err := mongox.EnsureIndexes(ctx, s.orders, pageIndexes()...); err != nil {
		return fmt.Errorf("ensure order indexes: %w", err)
	}
	return nil
}

type lineDoc struct {
	ProductID string `bson:"productId"`
	VariantID string `bson:"variantId,omitempty"`
	Quantity  int    `bson:"quantity"`
	UnitPrice int64  `bson:"unitPrice"`
}

type orderDoc struct {
	ID        primitive.ObjectID `bson:"_id"`
	UserID    string             `bson:"userId"`
	Lines     []lineDoc          `bson:"lines"`
	Status    string             `bson:"status"`
	StatusSeq int                `bson:"statusSeq"`
	Total     int64              `bson:"total"`
	CreatedAt time.Time          `bson:"createdAt"`
	UpdatedAt time.Time          `bson:"updatedAt"`
	// HistSeq is the number of the user's history entry written for the
	// order; a second entry (a retried create) is skipped by it. Absent
	// on orders from before it was kept.
	HistSeq int64 `bson:"histSeq,omitempty"`
}

type transitionDoc struct {
	ID           string    `bson:"_id"`
	OrderID      string    `bson:"orderId"`
	Step         int       `bson:"step"`
	From         string    `bson:"from"`
	To           string    `bson:"to"`
	Lines        []lineDoc `bson:"lines,omitempty"`
	Total        int64     `bson:"total"`
	Reason       string    `bson:"reason,omitempty"`
	At           time.Time `bson:"at"`
	NeedsRelease bool      `bson:"needsRelease"`
	// Released is only read: transitions written before release
	// acknowledgements moved to ReleasesCollection carry it.
	Released bool          `bson:"released,omitempty"`
	Outbox   *outbox.Entry `bson:"outbox,omitempty"`
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
	return ordering.Order{ID: d.ID.Hex(), UserID: d.UserID, Lines: toLines(d.Lines), Status: ordering.Status(d.Status), Total: d.Total, CreatedAt: d.CreatedAt, HistorySeq: d.HistSeq}
}

func (d transitionDoc) transition() ordering.Transition {
	return ordering.Transition{
		OrderID: d.OrderID, Step: d.Step, From: ordering.Status(d.From), To: ordering.Status(d.To),
		Lines: toLines(d.Lines), Total: d.Total, Reason: d.Reason, At: d.At,
		NeedsRelease: d.NeedsRelease, Released: d.Released, Outbox: d.Outbox,
	}
}

// Create records the order's work item and its entry in the user's
// history, then inserts the (PENDING) order. Both come first so that an
// order document never exists without them. Call it only for an id not
// seen yet (a retry that finds the order must not call it again): a
// second call adds a second history entry, which readers skip but which
// costs a write.
func (s *Store) Create(ctx context.Context, o ordering.Order) error {
	oid, err := primitive.ObjectIDFromHex(o.ID)
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	// The two are independent: write them at once, a round trip saved.
	var workErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		workErr = s.addWork(ctx, ordering.WorkItem{OrderID: o.ID, Step: ordering.StepResolve, At: o.CreatedAt})
	})
	seq, histErr := s.appendHistory(ctx, o.UserID, o.ID, o.CreatedAt)
	wg.Wait()
	if err := errors.Join(workErr, histErr); err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	now := o.CreatedAt
	d := orderDoc{ID: oid, UserID: o.UserID, Lines: toLineDocs(o.Lines), Status: string(o.Status), Total: o.Total, CreatedAt: now, UpdatedAt: now, HistSeq: seq}
	if err := s.ordersIns.InsertOne(ctx, d); err != nil {
		if mongox.IsDuplicateKey(err) {
			return fmt.Errorf("create order: %w", ordering.ErrExists)
		}
		return fmt.Errorf("create order: %w", err)
	}
	return nil
}

// AppendTransition inserts t; ordering.ErrStepTaken when the step exists.
// Steps after the first get their work item first (the first step's was
// recorded with the order). A racer that loses the step leaves the item in
// place: it is the winner's too, and the winner removes it once settled.
func (s *Store) AppendTransition(ctx context.Context, t ordering.Transition) error {
	if t.Step > ordering.StepResolve {
		if err := s.addWork(ctx, ordering.WorkItem{OrderID: t.OrderID, Step: t.Step, At: t.At}); err != nil {
			return fmt.Errorf("append transition: %w", err)
		}
	}
	d := transitionDoc{
		ID: transitionID(t.OrderID, t.Step), OrderID: t.OrderID, Step: t.Step, From: string(t.From), To: string(t.To),
		Lines: toLineDocs(t.Lines), Total: t.Total, Reason: t.Reason, At: t.At,
		NeedsRelease: t.NeedsRelease, Outbox: t.Outbox,
	}
	if t.Outbox != nil {
		if err := s.outbox.Add(ctx, TransitionsCollection, d.ID, *t.Outbox); err != nil {
			return fmt.Errorf("append transition: %w", err)
		}
	}
	if err := s.transitionsIns.InsertOne(ctx, d); err != nil {
		if t.Outbox != nil {
			s.outbox.Discard(context.WithoutCancel(ctx), t.Outbox.EventID)
		}
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
	t := d.transition()
	if t.NeedsRelease && !t.Released {
		err := s.releases.FindOne(ctx, bson.D{{Key: "_id", Value: transitionID(orderID, step)}}).Err()
		switch {
		case err == nil:
			t.Released = true
		case !errors.Is(err, mongo.ErrNoDocuments):
			return ordering.Transition{}, fmt.Errorf("get release: %w", err)
		}
	}
	return t, nil
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
// An order document that does not exist is left alone.
func (s *Store) ApplySnapshot(ctx context.Context, t ordering.Transition) error {
	oid, err := primitive.ObjectIDFromHex(t.OrderID)
	if err != nil {
		return fmt.Errorf("apply snapshot: %w", err)
	}
	for {
		set := bson.D{{Key: "status", Value: string(t.To)}, {Key: "statusSeq", Value: t.Step}, {Key: "updatedAt", Value: t.At}}
		if len(t.Lines) > 0 {
			set = append(set, bson.E{Key: "lines", Value: toLineDocs(t.Lines)}, bson.E{Key: "total", Value: t.Total})
		}
		if err := s.lane.Do(func() error {
			_, err := s.orders.UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}}, bson.D{{Key: "$set", Value: set}})
			return err //nolint:wrapcheck // wrapped below
		}); err != nil {
			return fmt.Errorf("apply snapshot: %w", err)
		}
		if t.Step >= ordering.LastStep {
			return nil
		}
		next, ok, err := s.findTransition(ctx, t.OrderID, t.Step+1)
		if err != nil {
			return fmt.Errorf("apply snapshot: %w", err)
		}
		if !ok {
			return nil
		}
		t = next
	}
}

// SnapshotStep returns the step the order document shows.
func (s *Store) SnapshotStep(ctx context.Context, orderID string) (int, bool, error) {
	oid, err := primitive.ObjectIDFromHex(orderID)
	if err != nil {
		return 0, false, nil
	}
	var d struct {
		StatusSeq int `bson:"statusSeq"`
	}
	err = s.orders.FindOne(ctx, bson.D{{Key: "_id", Value: oid}}, options.FindOne().SetProjection(bson.D{{Key: "statusSeq", Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("get snapshot step: %w", err)
	}
	return d.StatusSeq, true, nil
}

// MarkReleased records that products acknowledged the release owed by a
// step, as an insert of its own: the transition document stays untouched.
func (s *Store) MarkReleased(ctx context.Context, orderID string, step int) error {
	err := s.releasesIns.InsertOne(ctx, bson.D{{Key: "_id", Value: transitionID(orderID, step)}, {Key: "orderId", Value: orderID}, {Key: "step", Value: step}})
	if err != nil && !mongox.IsDuplicateKey(err) {
		return fmt.Errorf("mark released: %w", err)
	}
	return nil
}

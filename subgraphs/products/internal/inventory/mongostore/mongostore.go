// Package mongostore implements inventory.Storer on MongoDB (or FerretDB):
// stock documents, the ledger and its operation records, reservations
// with their attempts and work lists, and holds with their leases. The
// catalog's product documents are another store's (catalog/mongostore).
// Decisions rest only on inserts guarded by unique indexes, which FerretDB
// enforces atomically; updates refresh snapshots and monotonic flags only.
package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/groupcommit"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	catalogstore "github.com/shopsupergraph/shop/subgraphs/products/internal/catalog/mongostore"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/mongoerr"
)

// Collection names.
const (
	StockColl        = "stock"
	DirtyColl        = "stock_dirty"
	LedgerColl       = "inventory_ledger"
	OpsColl          = "inventory_ops"
	ReservationsColl = "reservations"
	AttemptsColl     = "reservation_attempts"
	PendingColl      = "reservation_pending"
	MarksColl        = "reservation_marks"
	LeasesColl       = "hold_leases"
	HoldsColl        = "holds"
	HoldProductsColl = "hold_products"
)

// Store is the MongoDB inventory store.
type Store struct {
	stock        *mongo.Collection
	dirty        *mongo.Collection
	ledger       *mongo.Collection
	ops          *mongo.Collection
	reservations *mongo.Collection
	attempts     *mongo.Collection
	pending      *mongo.Collection
	marks        *mongo.Collection
	leases       *mongo.Collection
	holds        *mongo.Collection
	holdProducts *mongo.Collection
	// products is the catalog's collection, read once by MigrateStock.
	products *mongo.Collection
	// outbox takes each event just before the write that carries it.
	outbox *outbox.Store
	// batched holds the group-commit inserters of the collections the
	// order paths insert into, so concurrent orders share write calls
	// (see platform/groupcommit); insert uses them. stock_dirty is left
	// out: its inserts often meet a duplicate key, which makes the store
	// write the rest of a batch one document at a time.
	batched map[string]*groupcommit.Inserter
	// lane takes the order paths' write calls one at a time (see
	// groupcommit.Lane).
	lane *groupcommit.Lane
	// topic is the Kafka topic of the events stored with each write.
	topic string
}

// New returns a store over db whose events go to topic. Its order paths'
// write calls take lane, and its events are added to ob (an outbox over
// db whose inserts take lane too, see outbox.NewStore). A process gives
// the catalog's store of db the same outbox, so that all its writes to
// that database queue in one lane.
func New(db *mongo.Database, topic string, lane *groupcommit.Lane, ob *outbox.Store) *Store {
	st := &Store{
		stock:        db.Collection(StockColl),
		dirty:        db.Collection(DirtyColl),
		ledger:       db.Collection(LedgerColl),
		ops:          db.Collection(OpsColl),
		reservations: db.Collection(ReservationsColl),
		attempts:     db.Collection(AttemptsColl),
		pending:      db.Collection(PendingColl),
		marks:        db.Collection(MarksColl),
		leases:       db.Collection(LeasesColl),
		holds:        db.Collection(HoldsColl),
		holdProducts: db.Collection(HoldProductsColl),
		products:     db.Collection(catalogstore.ProductsColl),
		outbox:       ob,
		lane:         lane,
		topic:        topic,
	}
	st.batched = map[string]*groupcommit.Inserter{}
	for _, c := range []*mongo.Collection{st.ledger, st.ops, st.reservations, st.attempts, st.pending, st.marks} {
		st.batched[c.Name()] = groupcommit.New(c, groupcommit.Options{Lane: st.lane})
	}
	return st
}

// EnsureIndexes creates the indexes correctness rests on, beside the `_id`
// keys that serve every read and write of the order paths: opId unique
// (an operation appends at most one entry, so reserves and releases are
// idempotent by order) and holdLine unique (one entry per position of a
// hold line), both enforced atomically on insert by MongoDB and FerretDB
// alike; plus the index of the hold sweeper.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	plan := []struct {
		coll  *mongo.Collection
		model mongo.IndexModel
	}{
		{s.ledger, mongo.IndexModel{Keys: bson.D{{Key: "opId", Value: 1}}, Options: options.Index().SetUnique(true).SetName("ledger_op_id")}},
		{s.ledger, mongo.IndexModel{Keys: bson.D{{Key: "holdLine", Value: 1}}, Options: options.Index().SetUnique(true).SetName("ledger_hold_line")}},
		{s.leases, mongo.IndexModel{Keys: bson.D{{Key: "expiresAt", Value: 1}}}},
	}
	// One index per call: FerretDB v1 drops the connection when one
	// createIndexes command carries several.
	for _, p := range plan {
		if err := mongox.EnsureIndexes(ctx, p.coll, p.model); err != nil {
			return fmt.Errorf("ensure indexes: %w", err)
		}
	}
	return nil
}

// translate maps driver errors to inventory sentinels.
func translate(op string, err error) error {
	return mongoerr.Translate(op, err, inventory.ErrNotFound, inventory.ErrDuplicate)
}

var _ inventory.Storer = (*Store)(nil)

// insert inserts doc into c, through c's group-commit inserter when it has
// one. Errors are the driver's, as from InsertOne.
func (s *Store) insert(ctx context.Context, c *mongo.Collection, doc any) error {
	if b := s.batched[c.Name()]; b != nil {
		return b.InsertOne(ctx, doc) //nolint:wrapcheck // callers translate driver errors
	}
	return s.lane.Do(func() error {
		_, err := c.InsertOne(ctx, doc)
		return err //nolint:wrapcheck // callers translate driver errors
	})
}

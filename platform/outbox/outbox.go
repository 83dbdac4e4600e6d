// Package outbox relays the events a service stores with its state changes
// to Kafka, without scanning the service's data.
//
// A writer first adds the event to the outbox collection (Store.Add),
// naming the document whose insert will carry out the change, and then
// inserts that document with the same event embedded (under Field). The
// relay reads only the outbox collection, which stays small because
// published events are deleted from it: for each event it point-reads the
// named document and publishes the event once the document exists with
// that event id. An outbox entry whose document never appears (the writer
// crashed in between, or lost a race for the document's _id and inserted
// nothing) is dropped after a grace period. So an event is published if and
// only if its change happened, a broker outage only delays events, and the
// cost of relaying one event does not depend on how much data the service
// holds.
//
// One relay per outbox works at a time across replicas (a lease in the
// database, see platform/lease). Events of one key are published in the
// order of their Seq (a per-aggregate version or step, never wall-clock
// time); a crash between publishing and deleting re-publishes, which
// consumers absorb since they deduplicate by event id.
package outbox

import (
	"context"
	"encoding/json"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/groupcommit"
	"github.com/shopsupergraph/shop/platform/kafkax"
)

// Field is the field of a state document that embeds its event: the record
// of the change, and what the relay checks the outbox entry against.
const Field = "outbox"

// Collection is the name of a service database's outbox collection.
const Collection = "outbox"

// Entry is an event as stored, embedded in its state document and in the
// outbox collection.
type Entry struct {
	Topic      string    `bson:"topic"`
	Key        string    `bson:"key"`
	EventID    string    `bson:"eventId"`
	Type       string    `bson:"type"`
	OccurredAt time.Time `bson:"occurredAt"`
	// Payload is the envelope's data as JSON text.
	Payload string `bson:"payload"`
	// Seq orders the events of one key: a ledger version, a step number.
	Seq int64 `bson:"seq"`
}

// NewEntry wraps an envelope for storage.
func NewEntry(topic, key string, seq int64, e events.Envelope) Entry {
	return Entry{Topic: topic, Key: key, EventID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt, Payload: string(e.Data), Seq: seq}
}

// Envelope rebuilds the event envelope.
func (e Entry) Envelope() events.Envelope {
	return events.Envelope{ID: e.EventID, Type: e.Type, OccurredAt: e.OccurredAt, Data: json.RawMessage(e.Payload)}
}

// pendingDoc is an outbox entry: the event and the document that must
// exist, embedding the same event id, before the event may be published.
type pendingDoc struct {
	EventID string    `bson:"_id"`
	Coll    string    `bson:"coll"`
	DocID   any       `bson:"docId"`
	AddedAt time.Time `bson:"addedAt"`
	Entry   Entry     `bson:"entry"`
	// Trace is the trace context of the change (kafkax.TraceCarrier), so
	// the published event continues the trace of the request that made it.
	Trace map[string]string `bson:"trace,omitempty"`
}

// Store adds events to a database's outbox collection.
type Store struct {
	coll *mongo.Collection
	// ins batches concurrent Adds into few write calls.
	ins *groupcommit.Inserter
	now func() time.Time
}

// NewStore returns the outbox of db. lane, if not nil, is the lane of the
// writer's other writes to db (see groupcommit.Lane).
func NewStore(db *mongo.Database, lane *groupcommit.Lane) *Store {
	coll := db.Collection(Collection)
	return &Store{coll: coll, ins: groupcommit.New(coll, groupcommit.Options{Lane: lane}), now: time.Now}
}

// Add records that the document with _id docID in collection coll is about
// to be inserted carrying e. Call it before that insert; if the insert
// fails, Discard the entry (or leave it: the relay drops it after its grace
// period).
func (s *Store) Add(ctx context.Context, coll string, docID any, e Entry) error {
	err := s.ins.InsertOne(ctx, pendingDoc{EventID: e.EventID, Coll: coll, DocID: docID, AddedAt: s.now().UTC(), Entry: e, Trace: kafkax.TraceCarrier(ctx)})
	if err != nil {
		return err //nolint:wrapcheck // callers wrap with their operation
	}
	return nil
}

// Discard removes an entry whose change did not happen. It is best effort:
// an entry left behind is dropped by the relay after its grace period.
func (s *Store) Discard(ctx context.Context, eventID string) {
	_, _ = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: eventID}}) //nolint:errcheck // best effort, see above
}

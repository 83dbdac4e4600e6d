// Package outbox relays events stored inside state-changing documents to
// Kafka. A service writes the event into the same document as the change
// (one insert or update, so no transaction is needed, which FerretDB lacks);
// the relay publishes unsent events and marks them sent. A broker outage only
// delays events; a crash between publish and mark re-publishes, which
// consumers absorb because they are idempotent by event id.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/events"
)

// Field is the document field that holds the pending event.
const Field = "outbox"

// Entry is the event embedded in a document under Field.
type Entry struct {
	Topic      string    `bson:"topic"`
	Key        string    `bson:"key"`
	EventID    string    `bson:"eventId"`
	Type       string    `bson:"type"`
	OccurredAt time.Time `bson:"occurredAt"`
	// Payload is the envelope's data as JSON text.
	Payload string `bson:"payload"`
	// Seq orders events of one key (e.g. a ledger version); ties fall back to OccurredAt.
	Seq  int64 `bson:"seq"`
	Sent bool  `bson:"sent"`
}

// NewEntry wraps an envelope for storage in a document.
func NewEntry(topic, key string, seq int64, e events.Envelope) Entry {
	return Entry{Topic: topic, Key: key, EventID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt, Payload: string(e.Data), Seq: seq}
}

// Envelope rebuilds the event envelope.
func (e Entry) Envelope() events.Envelope {
	return events.Envelope{ID: e.EventID, Type: e.Type, OccurredAt: e.OccurredAt, Data: json.RawMessage(e.Payload)}
}

// Index is the index the relay's query needs; add it to the collection.
func Index() mongo.IndexModel {
	return mongo.IndexModel{Keys: bson.D{{Key: Field + ".sent", Value: 1}, {Key: Field + ".occurredAt", Value: 1}}}
}

// Publisher is the part of *kafka.Writer the relay uses.
type Publisher interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Relay publishes the unsent events of one collection.
type Relay struct {
	Coll      *mongo.Collection
	Publisher Publisher
	Log       *slog.Logger
	// Interval between polls when idle; Notify wakes the relay earlier.
	Interval time.Duration
	// Batch is the most events published per round.
	Batch int

	wake chan struct{}
}

// NewRelay returns a relay with sensible defaults.
func NewRelay(coll *mongo.Collection, pub Publisher, log *slog.Logger) *Relay {
	return &Relay{Coll: coll, Publisher: pub, Log: log, Interval: 500 * time.Millisecond, Batch: 200, wake: make(chan struct{}, 1)}
}

// Notify asks the relay to run soon; call it after writing an event.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		for {
			n, err := r.Flush(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				r.Log.Warn("outbox relay failed; will retry", "collection", r.Coll.Name(), "err", err)
				break
			}
			if n < r.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.wake:
		}
	}
}

type pending struct {
	ID     any   `bson:"_id"`
	Outbox Entry `bson:"outbox"`
}

// Flush publishes one batch of unsent events in order and marks them sent.
// It returns how many it published.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	opts := options.Find().
		SetSort(bson.D{{Key: Field + ".occurredAt", Value: 1}, {Key: Field + ".seq", Value: 1}}).
		SetLimit(int64(r.Batch)).
		SetProjection(bson.D{{Key: Field, Value: 1}})
	cur, err := r.Coll.Find(ctx, bson.D{{Key: Field + ".sent", Value: false}}, opts)
	if err != nil {
		return 0, fmt.Errorf("find unsent events: %w", err)
	}
	var docs []pending
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("read unsent events: %w", err)
	}
	if len(docs) == 0 {
		return 0, nil
	}
	msgs := make([]kafka.Message, 0, len(docs))
	ids := make([]any, 0, len(docs))
	for _, d := range docs {
		env := d.Outbox.Envelope()
		v, err := json.Marshal(env)
		if err != nil {
			return 0, fmt.Errorf("encode event %s: %w", env.ID, err)
		}
		msgs = append(msgs, kafka.Message{Topic: d.Outbox.Topic, Key: []byte(d.Outbox.Key), Value: v})
		ids = append(ids, d.ID)
	}
	if err := r.Publisher.WriteMessages(ctx, msgs...); err != nil {
		return 0, fmt.Errorf("publish %d events: %w", len(msgs), err)
	}
	if _, err := r.Coll.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: Field + ".sent", Value: true}}}}); err != nil {
		return 0, fmt.Errorf("mark events sent: %w", err)
	}
	return len(docs), nil
}

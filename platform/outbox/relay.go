package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/lease"
)

// Publisher is the part of *kafka.Writer the relay uses.
type Publisher interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Holder tells whether this replica may relay now (see platform/lease).
type Holder interface {
	Held(ctx context.Context) (bool, error)
	Until() time.Duration
}

// Relay publishes the events of one database's outbox.
type Relay struct {
	db        *mongo.Database
	coll      *mongo.Collection
	publisher Publisher
	log       *slog.Logger
	// Lease, when set, makes the relay work only while this replica holds
	// it; nil relays unconditionally (a single replica, tests).
	Lease Holder
	// Tracing, when set, publishes each event that was stored inside a
	// trace in a producer span of that trace, its context in the headers.
	Tracing *kafkax.Tracing
	// Interval between polls when idle; Notify wakes the relay earlier.
	Interval time.Duration
	// Batch is the most entries read per round.
	Batch int
	// Grace is how long an entry may wait for its document before it is
	// dropped as a change that never happened. It must exceed the longest
	// time a writer may take between Add and its insert.
	Grace time.Duration
	now   func() time.Time

	wake chan struct{}
}

// NewRelay returns a relay of db's outbox with sensible defaults.
func NewRelay(db *mongo.Database, pub Publisher, log *slog.Logger) *Relay {
	return &Relay{
		db: db, coll: db.Collection(Collection), publisher: pub, log: log,
		Interval: 100 * time.Millisecond, Batch: 500, Grace: 2 * time.Minute, now: time.Now,
		wake: make(chan struct{}, 1),
	}
}

// Notify asks the relay to run soon; call it after a change with an event.
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
		wait := time.Duration(0)
		if held, err := r.held(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.log.Warn("outbox lease check failed; will retry", "err", err)
		} else if !held {
			// Another replica relays; look again when the slot turns.
			wait = r.Lease.Until() + 50*time.Millisecond
		} else {
			r.drain(ctx)
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.wake:
		}
	}
}

func (r *Relay) held(ctx context.Context) (bool, error) {
	if r.Lease == nil {
		return true, nil
	}
	held, err := r.Lease.Held(ctx)
	if err != nil {
		return false, fmt.Errorf("outbox lease: %w", err)
	}
	return held, nil
}

// drain flushes until a round comes back short.
func (r *Relay) drain(ctx context.Context) {
	for {
		n, err := r.Flush(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("outbox relay failed; will retry", "err", err)
			}
			return
		}
		if n < r.Batch {
			return
		}
	}
}

// Flush reads one batch of entries, publishes those whose change happened,
// in Seq order per key, deletes them, and drops entries whose change never
// happened. It returns how many entries it settled (published or dropped).
func (r *Relay) Flush(ctx context.Context) (int, error) {
	// No filter and no sort: the whole (small) collection in storage
	// order, which is insertion order on both stores, so the limit is
	// pushed down even on the embedded store.
	cur, err := r.coll.Find(ctx, bson.D{}, options.Find().SetLimit(int64(r.Batch)))
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	var docs []pendingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	if len(docs) == 0 {
		return 0, nil
	}
	sortBySeq(docs)
	now := r.now()
	var msgs []kafka.Message
	var spans []trace.Span
	var done []any
	// blocked: keys with an entry still waiting for its document; their
	// later entries wait too, so a key's events never overtake each other.
	blocked := map[string]bool{}
	seen, err := r.happenedAll(ctx, docs)
	if err != nil {
		return 0, err
	}
	for i, d := range docs {
		k := d.Entry.Topic + "\x00" + d.Entry.Key
		if blocked[k] {
			continue
		}
		switch {
		case seen[i] == happened:
			v, err := json.Marshal(d.Entry.Envelope())
			if err != nil {
				err = fmt.Errorf("encode event %s: %w", d.EventID, err)
				kafkax.EndPublish(spans, err)
				return 0, err
			}
			m := kafka.Message{Topic: d.Entry.Topic, Key: []byte(d.Entry.Key), Value: v}
			if r.Tracing != nil && d.Trace != nil {
				spans = append(spans, r.Tracing.StartPublish(kafkax.ContextWithTrace(ctx, d.Trace), &m))
			}
			msgs = append(msgs, m)
			done = append(done, d.EventID)
		case seen[i] == lost || now.Sub(d.AddedAt) > r.Grace:
			r.log.Info("outbox entry dropped: its change never happened", "event", d.EventID, "type", d.Entry.Type, "collection", d.Coll)
			done = append(done, d.EventID)
		default:
			blocked[k] = true
		}
	}
	if len(msgs) > 0 {
		err := r.publisher.WriteMessages(ctx, msgs...)
		kafkax.EndPublish(spans, err)
		if err != nil {
			return 0, fmt.Errorf("publish %d events: %w", len(msgs), err)
		}
	}
	if len(done) > 0 {
		if _, err := r.coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: done}}}}); err != nil {
			return 0, fmt.Errorf("delete relayed outbox entries: %w", err)
		}
	}
	return len(done), nil
}

// fate is what became of an entry's change.
type fate int

const (
	// waiting: the document does not exist (yet).
	waiting fate = iota
	// happened: the document exists carrying the entry's event.
	happened
	// lost: the document exists carrying another event, so this change can
	// never happen (state documents are insert-only).
	lost
)

// happenedAll checks every entry's document, a few point reads at a time.
func (r *Relay) happenedAll(ctx context.Context, docs []pendingDoc) ([]fate, error) {
	out := make([]fate, len(docs))
	err := fanout.Each(ctx, len(docs), fanout.PointReads, func(ctx context.Context, i int) error {
		f, err := r.happened(ctx, docs[i])
		out[i] = f
		return err
	})
	if err != nil {
		return nil, err //nolint:wrapcheck // happened wraps its errors
	}
	return out, nil
}

// happened reports what became of the entry's change.
func (r *Relay) happened(ctx context.Context, d pendingDoc) (fate, error) {
	var got struct {
		Entry struct {
			EventID string `bson:"eventId"`
		} `bson:"outbox"`
	}
	err := r.db.Collection(d.Coll).FindOne(ctx, bson.D{{Key: "_id", Value: d.DocID}},
		options.FindOne().SetProjection(bson.D{{Key: Field + ".eventId", Value: 1}})).Decode(&got)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return waiting, nil
	case err != nil:
		return waiting, fmt.Errorf("check outbox entry %s: %w", d.EventID, err)
	case got.Entry.EventID == d.EventID:
		return happened, nil
	default:
		return lost, nil
	}
}

// sortBySeq orders entries of the same key by Seq, keeping the storage
// order otherwise (a stable sort on the position of each key's first entry).
func sortBySeq(docs []pendingDoc) {
	first := map[string]int{}
	for i, d := range docs {
		k := d.Entry.Topic + "\x00" + d.Entry.Key
		if _, ok := first[k]; !ok {
			first[k] = i
		}
	}
	key := func(d pendingDoc) int { return first[d.Entry.Topic+"\x00"+d.Entry.Key] }
	slices.SortStableFunc(docs, func(a, b pendingDoc) int {
		if c := key(a) - key(b); c != 0 {
			return c
		}
		switch {
		case a.Entry.Seq < b.Entry.Seq:
			return -1
		case a.Entry.Seq > b.Entry.Seq:
			return 1
		}
		return 0
	})
}

// NewLeasedRelay returns a relay of db's outbox that works only while this
// process holds the database's outbox lease, so one replica relays at a
// time.
func NewLeasedRelay(db *mongo.Database, pub Publisher, log *slog.Logger) *Relay {
	r := NewRelay(db, pub, log)
	r.Lease = lease.New(db, lease.Options{Name: "outbox", Owner: lease.Owner()})
	return r
}

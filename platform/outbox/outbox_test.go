package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

func openDB(t *testing.T) (context.Context, *mongo.Database) {
	t.Helper()
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("outbox"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Disconnect(context.Background()) }) //nolint:errcheck // teardown
	return ctx, db
}

// write stores one change the way services do: the outbox entry first,
// then the state document embedding the same event.
func write(ctx context.Context, t *testing.T, ob *outbox.Store, coll *mongo.Collection, id string, e outbox.Entry) {
	t.Helper()
	if err := ob.Add(ctx, coll.Name(), id, e); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.InsertOne(ctx, bson.M{"_id": id, outbox.Field: e}); err != nil {
		t.Fatal(err)
	}
}

func stockEntry(t *testing.T, topic, key string, version int64) outbox.Entry {
	t.Helper()
	e, err := events.New(events.StockChanged, time.Now(), events.StockChangedData{ProductID: key, Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return outbox.NewEntry(topic, key, version, e)
}

func countOutbox(ctx context.Context, t *testing.T, db *mongo.Database) int64 {
	t.Helper()
	n, err := db.Collection(outbox.Collection).CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRelaySurvivesBrokerOutage stores events while the broker is
// unreachable, then relays them once it is: nothing is lost, order per key
// is kept and the outbox is empty afterwards.
func TestRelaySurvivesBrokerOutage(t *testing.T) {
	ctx, db := openDB(t)
	env := testenv.Get(t)
	coll := db.Collection("things")
	ob := outbox.NewStore(db, nil)
	topic := testenv.Name("outbox_topic")
	for i := range 5 {
		write(ctx, t, ob, coll, "p1:"+string(rune('a'+i)), stockEntry(t, topic, "p1", int64(i+1)))
	}
	log := slog.New(slog.DiscardHandler)

	kdown, err := kafkax.New(kafkax.Config{Brokers: []string{"127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer kdown.Close()
	down := kdown.Writer()
	down.MaxAttempts = 1
	down.WriteTimeout = 300 * time.Millisecond
	defer down.Close()
	if n, err := outbox.NewRelay(db, down, log).Flush(ctx); err == nil || n != 0 {
		t.Fatalf("flush with broker down = %d, %v; want an error", n, err)
	}
	if n := countOutbox(ctx, t, db); n != 5 {
		t.Fatalf("outbox after outage = %d, want 5", n)
	}

	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers, Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	if err := kc.EnsureTopics(ctx, topic); err != nil {
		t.Fatal(err)
	}
	up := kc.Writer()
	defer up.Close()
	if n, err := outbox.NewRelay(db, up, log).Flush(ctx); err != nil || n != 5 {
		t.Fatalf("flush with broker up = %d, %v", n, err)
	}
	if n := countOutbox(ctx, t, db); n != 0 {
		t.Fatalf("outbox after relay = %d, want 0", n)
	}
	r := kc.Reader(kafkax.ReaderConfig{Topic: topic, GroupID: testenv.Name("g")})
	defer r.Close()
	for want := int64(1); want <= 5; want++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		var d events.StockChangedData
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d.Version != want || string(m.Key) != "p1" {
			t.Fatalf("event %d: version %d key %q", want, d.Version, m.Key)
		}
	}
}

// recorder is a Publisher that keeps what it was given.
type recorder struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (r *recorder) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msgs...)
	return nil
}

func (r *recorder) seqs(t *testing.T) []int64 {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, m := range r.msgs {
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		var d events.StockChangedData
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d.Version)
	}
	return out
}

// TestRelayPublishesOnlyChangesThatHappened: an entry whose document never
// appears, or whose document carries another event (the writer lost the
// race for its _id), is never published: the first waits out the grace
// period, the second is dropped at once. Later events of the same key wait
// behind a pending one.
func TestRelayPublishesOnlyChangesThatHappened(t *testing.T) {
	ctx, db := openDB(t)
	coll := db.Collection("ledger")
	ob := outbox.NewStore(db, nil)
	rec := &recorder{}
	relay := outbox.NewRelay(db, rec, slog.New(slog.DiscardHandler))

	// p1: version 1 happened; version 2 was added but its insert has not
	// landed yet; version 3 cannot exist before 2 in a real ledger, but an
	// entry for it must still wait behind 2.
	write(ctx, t, ob, coll, "p1:1", stockEntry(t, "tp", "p1", 1))
	e2 := stockEntry(t, "tp", "p1", 2)
	if err := ob.Add(ctx, coll.Name(), "p1:2", e2); err != nil {
		t.Fatal(err)
	}
	write(ctx, t, ob, coll, "p1:3", stockEntry(t, "tp", "p1", 3))
	// p2: the writer lost the race for p2:1 to another writer whose own
	// event is embedded there.
	lost := stockEntry(t, "tp", "p2", 1)
	if err := ob.Add(ctx, coll.Name(), "p2:1", lost); err != nil {
		t.Fatal(err)
	}
	write(ctx, t, ob, coll, "p2:1", stockEntry(t, "tp", "p2", 1))
	// p3: the writer crashed after adding the entry.
	if err := ob.Add(ctx, coll.Name(), "p3:1", stockEntry(t, "tp", "p3", 1)); err != nil {
		t.Fatal(err)
	}

	if _, err := relay.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.seqs(t); len(got) != 2 {
		t.Fatalf("published versions %v, want p1:1 and the winner of p2:1 only", got)
	}
	if n := countOutbox(ctx, t, db); n != 3 {
		t.Fatalf("outbox holds %d entries, want 3 (p1:2, p1:3, p3:1)", n)
	}

	// p1:2 lands: 2 and 3 go out, in order.
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "p1:2", outbox.Field: e2}); err != nil {
		t.Fatal(err)
	}
	if _, err := relay.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.seqs(t); len(got) != 4 || got[2] != 2 || got[3] != 3 {
		t.Fatalf("published versions %v, want [1 1 2 3] (p1:2 before p1:3)", got)
	}

	// Past the grace period the entries of changes that never happened go.
	relay.Grace = 0
	if _, err := relay.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.seqs(t); len(got) != 4 {
		t.Fatalf("published %v after the grace period; dropped entries must not be published", got)
	}
	if n := countOutbox(ctx, t, db); n != 0 {
		t.Fatalf("outbox holds %d entries after the grace period, want 0", n)
	}
}

// TestRelayReadsNoStateCollectionByScan: relaying reads the state
// documents only by _id, so its cost does not grow with the data.
func TestRelayReadsNoStateCollectionByScan(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var filters []bson.Raw
	client, db, err := mongox.ConnectMonitored(ctx, env.MongoURI, testenv.Name("outbox"), func(cmd string, coll string, filter bson.Raw) {
		if coll == "ledger" {
			mu.Lock()
			filters = append(filters, filter)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // teardown
	coll := db.Collection("ledger")
	ob := outbox.NewStore(db, nil)
	for i := range 20 {
		write(ctx, t, ob, coll, "p:"+string(rune('a'+i)), stockEntry(t, "tp", "p", int64(i+1)))
	}
	mu.Lock()
	filters = nil
	mu.Unlock()
	if n, err := outbox.NewRelay(db, &recorder{}, slog.New(slog.DiscardHandler)).Flush(ctx); err != nil || n != 20 {
		t.Fatalf("flush = %d, %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(filters) != 20 {
		t.Fatalf("relay sent %d commands to the state collection, want 20 point reads", len(filters))
	}
	for _, f := range filters {
		if !mongox.IsPointFilter(f) {
			t.Fatalf("relay read the state collection with %s, want a single _id key", f)
		}
	}
}

// TestOneRelayPerOutbox: two replicas' relays run over one database while
// events are written; each event is published once, by the replica that
// holds the outbox lease. (Without the lease both relays publish every
// event they find: set Lease to nil on both and this test fails.)
func TestOneRelayPerOutbox(t *testing.T) {
	ctx, db := openDB(t)
	coll := db.Collection("ledger")
	ob := outbox.NewStore(db, nil)
	a, b := &recorder{}, &recorder{}
	ra := outbox.NewLeasedRelay(db, a, slog.New(slog.DiscardHandler))
	rb := outbox.NewLeasedRelay(db, b, slog.New(slog.DiscardHandler))
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = ra.Run(runCtx) })
	wg.Go(func() { _ = rb.Run(runCtx) })
	const n = 60
	for i := range n {
		write(ctx, t, ob, coll, fmt.Sprintf("p:%03d", i), stockEntry(t, "tp", "p", int64(i+1)))
		ra.Notify()
		rb.Notify()
		time.Sleep(5 * time.Millisecond)
	}
	deadline := time.Now().Add(20 * time.Second)
	for countOutbox(ctx, t, db) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	got := append(a.seqs(t), b.seqs(t)...)
	seen := map[int64]int{}
	for _, v := range got {
		seen[v]++
	}
	for v := int64(1); v <= n; v++ {
		if seen[v] != 1 {
			t.Fatalf("event %d published %d times (replica a %d events, b %d); want once", v, seen[v], len(a.seqs(t)), len(b.seqs(t)))
		}
	}
	if len(a.seqs(t)) > 0 && len(b.seqs(t)) > 0 {
		t.Logf("the lease moved between replicas during the run (a %d, b %d events)", len(a.seqs(t)), len(b.seqs(t)))
	}
}

package realfault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestRealKafkaRestartDuringOutboxStream writes a steady stream of stock
// changes with their events in the outbox (as the services do), relays them
// to Kafka and consumes them in a consumer group, while the broker is
// stopped and then killed and restarted mid-stream. Every event must arrive,
// the idempotent consumer must apply each exactly once (redeliveries are
// counted, not applied), and within one key the versions must be applied in
// order.
func TestRealKafkaRestartDuringOutboxStream(t *testing.T) {
	env, ctl := setup(t)
	t.Cleanup(func() { _ = ctl.Ensure(context.Background(), "kafka") })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	log := testLog(t)

	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("fault_kafka"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background()) //nolint:errcheck // teardown
	changes := db.Collection("changes")
	applied := db.Collection("applied")
	ob := outbox.NewStore(db, nil)
	topic := testenv.Name("fault_stock")
	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	if err := kc.EnsureTopics(ctx, topic, kafkax.DeadLetterTopic(topic)); err != nil {
		t.Fatal(err)
	}

	writer := kc.Writer()
	defer writer.Close()
	relay := outbox.NewRelay(db, writer, log)
	relay.Interval = 100 * time.Millisecond
	runCtx, stopRun := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopRun(); wg.Wait() }()
	wg.Go(func() { _ = relay.Run(runCtx) })

	c := &consumer{applied: applied, lastVersion: map[string]int64{}}
	reader := kc.Consumer(kafkax.ReaderConfig{Topic: topic, GroupID: testenv.Name("fault_group")}, log)
	defer reader.Close()
	wg.Go(func() { _ = reader.Run(runCtx, c.handle) })

	// The stream runs through four phases: broker up, stopped (events wait
	// in the outbox), up again, killed, and up once more. Restarting blocks
	// the producer, not the consumer.
	const total, keys = 800, 6
	faults := map[int]func(){
		250: func() { mustControl(t, ctl.Stop, "kafka") },
		400: func() { mustControl(t, ctl.Start, "kafka") },
		550: func() { mustControl(t, ctl.Kill, "kafka") },
		650: func() { mustControl(t, ctl.Start, "kafka") },
	}
	for i := range total {
		if f := faults[i]; f != nil {
			t.Logf("at event %d (%d applied so far):", i, c.count())
			f()
		}
		key := fmt.Sprintf("product-%d", i%keys)
		version := int64(i/keys + 1)
		e, err := events.New(events.StockChanged, time.Now().UTC(), events.StockChangedData{ProductID: key, Version: version})
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("%s:%d", key, version)
		entry := outbox.NewEntry(topic, key, version, e)
		if err := ob.Add(ctx, changes.Name(), id, entry); err != nil {
			t.Fatalf("store change %d: %v", i, err)
		}
		if _, err := changes.InsertOne(ctx, bson.M{"_id": id, "productId": key, "version": version, outbox.Field: entry}); err != nil {
			t.Fatalf("store change %d: %v", i, err)
		}
		relay.Notify()
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, 2*time.Minute, fmt.Sprintf("all %d events to be applied", total), func() bool { return c.count() >= total })

	n, err := applied.CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if n != total {
		t.Fatalf("applied %d distinct events, want %d", n, total)
	}
	if got := c.count(); got != total {
		t.Fatalf("consumer applied %d events, want exactly %d", got, total)
	}
	if err := c.orderErr(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the outbox to be empty", func() bool {
		left, err := db.Collection(outbox.Collection).CountDocuments(ctx, bson.M{})
		return err == nil && left == 0
	})
	t.Logf("%d events applied exactly once; %d redeliveries absorbed", total, c.redelivered.Load())
}

// consumer applies stock changes idempotently: the applied collection's _id
// is the event id, so a redelivered event hits the unique index and is
// counted instead of applied.
type consumer struct {
	applied     *mongo.Collection
	redelivered atomic.Int64

	mu          sync.Mutex
	n           int
	lastVersion map[string]int64
	outOfOrder  []string
}

func (c *consumer) handle(ctx context.Context, e events.Envelope) error {
	var d events.StockChangedData
	if err := e.Decode(&d); err != nil {
		return err
	}
	_, err := c.applied.InsertOne(ctx, bson.M{"_id": e.ID, "productId": d.ProductID, "version": d.Version})
	if mongox.IsDuplicateKey(err) {
		c.redelivered.Add(1)
		return nil
	}
	if err != nil {
		return fmt.Errorf("apply %s: %w", e.ID, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if last := c.lastVersion[d.ProductID]; d.Version != last+1 {
		c.outOfOrder = append(c.outOfOrder, fmt.Sprintf("%s: version %d applied after %d", d.ProductID, d.Version, last))
	}
	c.lastVersion[d.ProductID] = max(c.lastVersion[d.ProductID], d.Version)
	return nil
}

func (c *consumer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *consumer) orderErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.outOfOrder) == 0 {
		return nil
	}
	return errors.New("events of one key applied out of order: " + fmt.Sprint(c.outOfOrder))
}

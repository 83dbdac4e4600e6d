package outbox_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestRelaySurvivesBrokerOutage stores events with their documents while
// the broker is unreachable, then relays them once it is: nothing is lost,
// order per key is kept and each event is marked sent.
func TestRelaySurvivesBrokerOutage(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("outbox"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // teardown
	coll := db.Collection("things")
	if err := mongox.EnsureIndexes(ctx, coll, outbox.Index()); err != nil {
		t.Fatal(err)
	}
	topic := testenv.Name("outbox_topic")
	base := time.Now().UTC().Truncate(time.Millisecond)
	for i := range 5 {
		e, err := events.New(events.StockChanged, base.Add(time.Duration(i)*time.Millisecond), events.StockChangedData{ProductID: "p1", Version: int64(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := coll.InsertOne(ctx, bson.M{"n": i, outbox.Field: outbox.NewEntry(topic, "p1", int64(i+1), e)}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)

	down := kafkax.NewWriter([]string{"127.0.0.1:1"})
	down.MaxAttempts = 1
	down.WriteTimeout = 300 * time.Millisecond
	defer down.Close()
	if n, err := outbox.NewRelay(coll, down, log).Flush(ctx); err == nil || n != 0 {
		t.Fatalf("flush with broker down = %d, %v; want an error", n, err)
	}
	if n, _ := coll.CountDocuments(ctx, bson.M{outbox.Field + ".sent": false}); n != 5 {
		t.Fatalf("unsent after outage = %d, want 5", n)
	}

	if err := kafkax.EnsureTopics(ctx, env.KafkaBrokers, 1, topic); err != nil {
		t.Fatal(err)
	}
	up := kafkax.NewWriter(env.KafkaBrokers)
	defer up.Close()
	if n, err := outbox.NewRelay(coll, up, log).Flush(ctx); err != nil || n != 5 {
		t.Fatalf("flush with broker up = %d, %v", n, err)
	}
	if n, _ := coll.CountDocuments(ctx, bson.M{outbox.Field + ".sent": false}); n != 0 {
		t.Fatalf("unsent after relay = %d, want 0", n)
	}
	r := kafkax.NewReader(kafkax.ReaderConfig{Brokers: env.KafkaBrokers, Topic: topic, GroupID: testenv.Name("g")})
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

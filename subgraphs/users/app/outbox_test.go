package app

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// waitEvent reads topic from the start until an event satisfying match
// arrives, and returns it. The topic is created (idempotently, racing the
// app's own creation) and awaited in the metadata before the group reader
// joins: a kafka-go group reader that joins before its topic exists gets
// no partitions and never reads.
func waitEvent(t *testing.T, cfg kafkax.Config, topic string, match func(events.Envelope) bool) events.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kc, err := kafkax.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	if err := kc.EnsureTopics(ctx, topic); err != nil {
		t.Fatalf("ensure topic %s: %v", topic, err)
	}
	if err := kc.AwaitTopics(ctx, topic); err != nil {
		t.Fatal(err)
	}
	r := kc.Reader(kafkax.ReaderConfig{Topic: topic, GroupID: testenv.Name("users-test")})
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("no matching event on %s: %v", topic, err)
		}
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatalf("undecodable event %s: %v", m.Value, err)
		}
		if match(e) {
			return e
		}
	}
}

// outboxState reads a user's stored event and whether it still waits in
// the outbox collection for the relay.
func outboxState(t *testing.T, in instance, id string) (pending bool, eventID string) {
	t.Helper()
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Outbox struct {
			EventID string `bson:"eventId"`
			Type    string `bson:"type"`
		} `bson:"outbox"`
	}
	db := connect(t, in)
	if err := db.Collection("users").FindOne(context.Background(), bson.D{{Key: "_id", Value: oid}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Outbox.Type != events.UserRegistered || doc.Outbox.EventID == "" {
		t.Fatalf("stored outbox entry = %+v", doc.Outbox)
	}
	n, err := db.Collection(outbox.Collection).CountDocuments(context.Background(), bson.D{{Key: "_id", Value: doc.Outbox.EventID}})
	if err != nil {
		t.Fatal(err)
	}
	return n > 0, doc.Outbox.EventID
}

func isRegistration(id string) func(events.Envelope) bool {
	return func(e events.Envelope) bool {
		var d events.UserRegisteredData
		return e.Type == events.UserRegistered && e.Decode(&d) == nil && d.UserID == id
	}
}

func TestUserRegisteredPublished(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	u := register(t, in.URL, "hank", "password", nil)
	e := waitEvent(t, in.Config.Kafka, in.Config.Topic(events.TopicUsers), isRegistration(u.User.ID))
	var d events.UserRegisteredData
	if err := e.Decode(&d); err != nil || d.Username != "hank" || e.ID == "" || e.OccurredAt.IsZero() {
		t.Fatalf("event = %+v data = %+v (%v)", e, d, err)
	}
	eventually(t, 10*time.Second, "outbox entry relayed", func() (bool, error) {
		pending, id := outboxState(t, in, u.User.ID)
		return !pending && id == e.ID, nil
	})
}

// TestOutboxSurvivesBrokerOutage registers while the broker is unreachable
// (the service points at a closed port), checks the event waits in the
// user document, then restarts the service against the real broker on the
// same database and expects the event to arrive.
func TestOutboxSurvivesBrokerOutage(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadBroker := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	db, prefix := testenv.Name("users"), testenv.Name("t")+"."

	var userID string
	t.Run("broker down", func(t *testing.T) {
		down := start(t, options{db: db, prefix: prefix, brokers: []string{deadBroker}})
		userID = register(t, down.URL, "ivy", "password", nil).User.ID
		// The relay tries right away and keeps failing; give it a few rounds.
		time.Sleep(1500 * time.Millisecond)
		if pending, _ := outboxState(t, down, userID); !pending {
			t.Fatal("event left the outbox although the broker is unreachable")
		}
	}) // the subtest's cleanup stops this instance
	if t.Failed() {
		return
	}
	up := start(t, options{db: db, prefix: prefix})
	_, storedID := outboxState(t, up, userID)
	e := waitEvent(t, up.Config.Kafka, up.Config.Topic(events.TopicUsers), isRegistration(userID))
	if e.ID != storedID {
		t.Fatalf("delivered event id %s, stored %s", e.ID, storedID)
	}
	eventually(t, 10*time.Second, "outbox entry relayed", func() (bool, error) {
		pending, _ := outboxState(t, up, userID)
		return !pending, nil
	})
}

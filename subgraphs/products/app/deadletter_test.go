package app_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/orderevents"
)

// TestPoisonOrderEventsAreDeadLettered publishes, on one partition of the
// orders topic, a message that is no envelope, a cancellation whose data
// does not decode and one naming an invalid order, then a good
// cancellation. The good one still releases its stock, and the three
// others land in the orders dead-letter topic, each counted by the app.
func TestPoisonOrderEventsAreDeadLettered(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	sh := newShared()
	in := startWith(t, env, sh, map[string]string{"KAFKA_RETRY_BACKOFF": "5ms", "KAFKA_RETRY_BACKOFF_MAX": "20ms"})
	p := in.create(t, "poison neighbour", 100, 4)
	if code, _ := in.reserve(t, "order-after-poison", inventoryapi.Line{ProductID: p.ID, Quantity: 4}); code != 200 {
		t.Fatalf("reserve: %d", code)
	}
	topic := sh.prefix + "." + events.TopicOrders
	envelope := func(data any) []byte {
		t.Helper()
		e, err := events.New(events.OrderCancelled, time.Now(), data)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const key = "one-partition"
	poison := [][]byte{
		[]byte("not an envelope"),
		envelope(map[string]any{"orderId": 42}),
		envelope(events.OrderData{OrderID: "no spaces allowed"}),
	}
	var msgs []kafka.Message
	for _, v := range append(poison, envelope(events.OrderData{OrderID: "order-after-poison", Status: "CANCELLED"})) {
		msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte(key), Value: v})
	}
	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The app creates the topics at start; wait for them, then publish.
	if err := kc.AwaitTopics(ctx, topic, kafkax.DeadLetterTopic(topic)); err != nil {
		t.Fatal(err)
	}
	w := kc.Writer()
	defer w.Close()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("publish: %v", err)
	}
	eventually(t, "the cancellation behind the poison events to release its stock", func() bool { return in.quantity(t, p.ID) == 4 })
	eventually(t, "three dead letters counted", func() bool { return in.DeadLettered() == 3 })

	parts, err := kc.Partitions(ctx, kafkax.DeadLetterTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	part := (&kafka.Hash{}).Balance(kafka.Message{Key: []byte(key)}, partitionIDs(parts)...)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.KafkaBrokers, Topic: kafkax.DeadLetterTopic(topic), Partition: part, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	for i, want := range poison {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("dead letter %d: %v", i, err)
		}
		hd := map[string]string{}
		for _, h := range m.Headers {
			hd[h.Key] = string(h.Value)
		}
		if string(m.Value) != string(want) || hd[kafkax.HeaderSourceTopic] != topic || hd[kafkax.HeaderSourceOffset] != strconv.Itoa(i) ||
			hd[kafkax.HeaderGroup] != orderevents.GroupID || hd[kafkax.HeaderError] == "" {
			t.Errorf("dead letter %d = %q %v, want %q from %s offset %d", i, m.Value, hd, want, topic, i)
		}
	}
}

// partitionIDs lists 0..n-1 for n partitions, as the writer's balancer sees them.
func partitionIDs(parts []kafka.Partition) []int {
	ids := make([]int, len(parts))
	for i := range ids {
		ids[i] = i
	}
	return ids
}

package kafkax_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// logBuffer collects JSON log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p) //nolint:wrapcheck // bytes.Buffer does not fail
}

// records returns the logged records whose message is msg.
func (b *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// handlerLog is the test handler: Good events are handled, Poison ones
// always fail as poison, Flaky ones fail as if the database were down
// until they have failed flakyFailures times.
type handlerLog struct {
	flakyFailures int

	mu       sync.Mutex
	handled  []string
	attempts map[string]int
}

func (h *handlerLog) handle(_ context.Context, e events.Envelope) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.attempts[e.ID]++
	switch e.Type {
	case "Poison":
		return events.Poison(errors.New("order id is not valid"))
	case "Flaky":
		if h.attempts[e.ID] <= h.flakyFailures {
			return errors.New("server selection error: database unavailable")
		}
	}
	h.handled = append(h.handled, e.ID)
	return nil
}

func (h *handlerLog) snapshot() ([]string, map[string]int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	att := map[string]int{}
	for k, v := range h.attempts {
		att[k] = v
	}
	return append([]string(nil), h.handled...), att
}

// TestConsumerDeadLettersPoisonEvents is the poison-event fault test: an
// undecodable message and an event its handler calls poison sit between
// good events on one partition, beside an event that fails for longer
// than the poison limit as if the database were down. The good events
// behind the poison ones are handled, the failing-then-passing one is
// retried until it passes (never dead-lettered), each poison message lands
// in the dead-letter topic with its original key, value and headers plus
// the source, error and attempts, the partition's offset is committed past
// all of them, and each dead-lettered event gives one log line and one
// count.
func TestConsumerDeadLettersPoisonEvents(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	const limit = 3
	c := newClient(t, kafkax.Config{Brokers: env.KafkaBrokers, Partitions: 2,
		Retry: kafkax.RetryConfig{DeadLetterAfter: limit, Backoff: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	topic := testenv.Name("dlq_source")
	dlq := kafkax.DeadLetterTopic(topic)
	if err := c.EnsureTopics(ctx, topic, dlq); err != nil {
		t.Fatal(err)
	}
	if err := c.AwaitTopics(ctx, topic, dlq); err != nil {
		t.Fatal(err)
	}

	// One key, so one partition, in this order (offsets 0..5).
	const key = "order-1"
	envelope := func(typ string) (kafka.Message, events.Envelope) {
		t.Helper()
		e, err := events.New(typ, time.Now(), map[string]string{"orderId": "o1"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := kafkax.Message(topic, key, e)
		if err != nil {
			t.Fatal(err)
		}
		return m, e
	}
	good1, g1 := envelope("Good")
	undecodable := kafka.Message{Topic: topic, Key: []byte(key), Value: []byte(`{"id": 42, "type": `),
		Headers: []kafka.Header{{Key: "traceparent", Value: []byte("00-abc-def-01")}}}
	good2, g2 := envelope("Good")
	poison, p := envelope("Poison")
	flaky, f := envelope("Flaky")
	good3, g3 := envelope("Good")
	w := c.Writer()
	defer w.Close()
	if err := w.WriteMessages(ctx, good1, undecodable, good2, poison, flaky, good3); err != nil {
		t.Fatal(err)
	}

	var logs logBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := &handlerLog{flakyFailures: 2 * limit, attempts: map[string]int{}}
	group := testenv.Name("dlq_group")
	consumer := c.Consumer(kafkax.ReaderConfig{Topic: topic, GroupID: group}, log)
	metrics := sdkmetric.NewManualReader()
	if err := consumer.Instrument(sdkmetric.NewMeterProvider(sdkmetric.WithReader(metrics))); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- consumer.Run(runCtx, h.handle) }()
	for {
		handled, _ := h.snapshot()
		if len(handled) == 4 && consumer.DeadLettered() == 2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("handled %v, dead-lettered %d; want 4 handled and 2 dead-lettered", handled, consumer.DeadLettered())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := consumer.Close(); err != nil {
		t.Fatal(err)
	}

	handled, attempts := h.snapshot()
	if want := []string{g1.ID, g2.ID, f.ID, g3.ID}; strings.Join(handled, ",") != strings.Join(want, ",") {
		t.Errorf("handled %v, want %v (good, good, flaky after its outage, good)", handled, want)
	}
	if attempts[p.ID] != limit || attempts[f.ID] != 2*limit+1 {
		t.Errorf("attempts: poison %d (want %d), flaky %d (want %d)", attempts[p.ID], limit, attempts[f.ID], 2*limit+1)
	}

	// The dead letters, read from the dead-letter partition the key maps to.
	part := (&kafka.Hash{}).Balance(kafka.Message{Key: []byte(key)}, 0, 1)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Brokers(), Dialer: c.Dialer(), Topic: dlq, Partition: part, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	type letter struct {
		value, err, attempts string
		offset               int64
	}
	wants := []letter{
		{value: string(undecodable.Value), err: "undecodable envelope", attempts: "1", offset: 1},
		{value: string(poison.Value), err: "order id is not valid", attempts: strconv.Itoa(limit), offset: 3},
	}
	var srcPartition string
	for i, want := range wants {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("dead letter %d: %v", i, err)
		}
		hd := map[string]string{}
		for _, x := range m.Headers {
			hd[x.Key] = string(x.Value)
		}
		if string(m.Value) != want.value || string(m.Key) != key {
			t.Errorf("dead letter %d: key %q value %q, want %q %q", i, m.Key, m.Value, key, want.value)
		}
		if hd[kafkax.HeaderSourceTopic] != topic || hd[kafkax.HeaderSourceOffset] != strconv.FormatInt(want.offset, 10) ||
			hd[kafkax.HeaderGroup] != group || hd[kafkax.HeaderAttempts] != want.attempts ||
			!strings.Contains(hd[kafkax.HeaderError], want.err) || hd[kafkax.HeaderFailedAt] == "" {
			t.Errorf("dead letter %d headers %v, want source %s offset %d, group %s, attempts %s, error containing %q",
				i, hd, topic, want.offset, group, want.attempts, want.err)
		}
		if i == 0 && hd["traceparent"] != "00-abc-def-01" {
			t.Errorf("dead letter lost its own headers: %v", hd)
		}
		if srcPartition = hd[kafkax.HeaderSourcePartition]; srcPartition != strconv.Itoa(part) {
			t.Errorf("dead letter %d from partition %s, want %d", i, srcPartition, part)
		}
	}

	// The source partition is committed past the last message.
	admin := &kafka.Client{Addr: kafka.TCP(c.Brokers()...), Transport: &kafka.Transport{}}
	off, err := admin.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {part}}})
	if err != nil || off.Error != nil {
		t.Fatalf("offset fetch: %v %v", err, off.Error)
	}
	if ps := off.Topics[topic]; len(ps) != 1 || ps[0].CommittedOffset != 6 {
		t.Errorf("committed %+v, want offset 6 on partition %d", ps, part)
	}

	recs := logs.records(t, "event dead-lettered")
	if len(recs) != 2 {
		t.Fatalf("%d dead-letter log lines, want 2: %v", len(recs), recs)
	}
	for i, want := range []struct {
		id, typ string
		offset  float64
	}{{"", "", 1}, {p.ID, "Poison", 3}} {
		r := recs[i]
		if r["id"] != want.id || r["type"] != want.typ || r["topic"] != topic || r["offset"] != want.offset ||
			r["partition"] != float64(part) || r["err"] == "" || r["dlq"] != dlq || r["deadLettered"] != float64(i+1) {
			t.Errorf("log line %d = %v, want id %q type %q offset %v", i, r, want.id, want.typ, want.offset)
		}
	}
	if consumer.DeadLettered() != 2 {
		t.Errorf("DeadLettered() = %d, want 2", consumer.DeadLettered())
	}
	var rm metricdata.ResourceMetrics
	if err := metrics.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	var counted int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "messaging.kafka.dead_lettered" {
				for _, dp := range sum.DataPoints {
					if v, _ := dp.Attributes.Value("messaging.destination.name"); v.AsString() == topic {
						counted += dp.Value
					}
				}
			}
		}
	}
	if counted != 2 {
		t.Errorf("metric messaging.kafka.dead_lettered for %s = %d, want 2", topic, counted)
	}
}

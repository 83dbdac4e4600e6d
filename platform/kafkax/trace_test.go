package kafkax_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestTraceCrossesTheBroker publishes an event inside a trace and consumes
// it through the broker: the consumer's span continues that trace, as the
// child of the producer's span, and the handler runs inside it.
func TestTraceCrossesTheBroker(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := testenv.Name("trace")
	c := newClient(t, kafkax.Config{Brokers: env.KafkaBrokers, Partitions: 1})
	if err := c.EnsureTopics(ctx, topic, kafkax.DeadLetterTopic(topic)); err != nil {
		t.Fatal(err)
	}
	if err := c.AwaitTopics(ctx, topic, kafkax.DeadLetterTopic(topic)); err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	tracing := kafkax.NewTracing(tp)

	reqCtx, request := tp.Tracer("test").Start(ctx, "request")
	e, err := events.New(events.OrderPlaced, time.Now(), events.OrderData{OrderID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := kafkax.Message(topic, "o1", e)
	if err != nil {
		t.Fatal(err)
	}
	// The context goes through a carrier, as the outbox stores it.
	send := tracing.StartPublish(kafkax.ContextWithTrace(ctx, kafkax.TraceCarrier(reqCtx)), &m)
	w := c.Writer()
	defer w.Close()
	err = w.WriteMessages(ctx, m)
	kafkax.EndPublish([]trace.Span{send}, err)
	if err != nil {
		t.Fatal(err)
	}
	request.End()

	reader := c.Consumer(kafkax.ReaderConfig{Topic: topic, GroupID: topic + ".group"}, slog.New(slog.DiscardHandler))
	reader.Tracing = tracing
	defer reader.Close()
	handled := make(chan trace.SpanContext, 1)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- reader.Run(cctx, func(ctx context.Context, got events.Envelope) error {
			if got.ID == e.ID {
				handled <- trace.SpanContextFromContext(ctx)
			}
			return nil
		})
	}()
	var inHandler trace.SpanContext
	select {
	case inHandler = <-handled:
	case <-ctx.Done():
		t.Fatal("event not consumed")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans.Ended() {
		byName[s.Name()] = s
	}
	producer, consumer := byName["send "+topic], byName["process "+topic]
	if producer == nil || consumer == nil {
		t.Fatalf("spans %v: want send and process spans of %s", keys(byName), topic)
	}
	want := request.SpanContext().TraceID()
	switch {
	case producer.SpanContext().TraceID() != want || producer.Parent().SpanID() != request.SpanContext().SpanID():
		t.Fatalf("producer span in trace %s under %s, want trace %s under the request", producer.SpanContext().TraceID(), producer.Parent().SpanID(), want)
	case consumer.SpanContext().TraceID() != want || consumer.Parent().SpanID() != producer.SpanContext().SpanID() || !consumer.Parent().IsRemote():
		t.Fatalf("consumer span in trace %s under %s, want trace %s under the producer span %s", consumer.SpanContext().TraceID(), consumer.Parent().SpanID(), want, producer.SpanContext().SpanID())
	case inHandler.SpanID() != consumer.SpanContext().SpanID():
		t.Fatal("the handler did not run inside the consumer span")
	case producer.SpanKind() != trace.SpanKindProducer || consumer.SpanKind() != trace.SpanKindConsumer:
		t.Fatalf("span kinds %s, %s", producer.SpanKind(), consumer.SpanKind())
	}
	attrs := map[string]string{}
	for _, a := range consumer.Attributes() {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	for k, v := range map[string]string{"messaging.system": "kafka", "messaging.destination.name": topic, "messaging.operation.type": "process", "messaging.consumer.group.name": topic + ".group", "messaging.kafka.message.key": "o1"} {
		if attrs[k] != v {
			t.Errorf("consumer span %s = %q, want %q", k, attrs[k], v)
		}
	}
}

// TestNilTracingRunsHandlersAsIs: without tracing, messages carry no trace
// headers and handlers run with their context unchanged.
func TestNilTracingRunsHandlersAsIs(t *testing.T) {
	t.Parallel()
	var tracing *kafkax.Tracing
	m := kafka.Message{Topic: "t"}
	ctx, span := sdktrace.NewTracerProvider().Tracer("test").Start(context.Background(), "request")
	defer span.End()
	tracing.StartPublish(ctx, &m).End()
	if len(m.Headers) != 0 {
		t.Fatalf("headers %v without tracing", m.Headers)
	}
	err := tracing.Handle(ctx, m, "", func(got context.Context) error {
		if got != ctx {
			t.Error("handler context changed without tracing")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]sdktrace.ReadOnlySpan) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

package outbox_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestRelayContinuesTheTraceOfTheChange: an event stored while handling a
// traced request is published, possibly much later and by another
// replica, in a producer span of that request's trace, with the span's
// context in the message headers for the consumer. An event stored outside
// any trace is published without one.
func TestRelayContinuesTheTraceOfTheChange(t *testing.T) {
	t.Parallel()
	ctx, db := openDB(t)
	coll := db.Collection("traced")
	ob := outbox.NewStore(db, nil)
	topic := testenv.Name("outbox_trace")
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))

	reqCtx, request := tp.Tracer("test").Start(ctx, "placeOrder")
	write(reqCtx, t, ob, coll, "p1:a", stockEntry(t, topic, "p1", 1))
	request.End()
	write(ctx, t, ob, coll, "p2:a", stockEntry(t, topic, "p2", 1))

	rec := &recorder{}
	relay := outbox.NewRelay(db, rec, slog.New(slog.DiscardHandler))
	relay.Tracing = kafkax.NewTracing(tp)
	if n, err := relay.Flush(ctx); err != nil || n != 2 {
		t.Fatalf("Flush = %d, %v; want 2 events", n, err)
	}
	var send sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.Name() == "send "+topic {
			if send != nil {
				t.Fatal("two producer spans: the untraced event got one too")
			}
			send = s
		}
	}
	if send == nil || send.Parent().SpanID() != request.SpanContext().SpanID() || send.SpanContext().TraceID() != request.SpanContext().TraceID() {
		t.Fatalf("producer span %v, want a child of the request span %s", send, request.SpanContext().SpanID())
	}
	for _, m := range rec.msgs {
		got := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier(m)))
		switch string(m.Key) {
		case "p1":
			if got.SpanID() != send.SpanContext().SpanID() {
				t.Errorf("traced event carries span %s, want the producer span %s", got.SpanID(), send.SpanContext().SpanID())
			}
		case "p2":
			if got.IsValid() || len(m.Headers) != 0 {
				t.Errorf("untraced event carries headers %v", m.Headers)
			}
		}
	}
}

func carrier(m kafka.Message) propagation.MapCarrier {
	c := propagation.MapCarrier{}
	for _, h := range m.Headers {
		c[h.Key] = string(h.Value)
	}
	return c
}

package kafkax

import (
	"context"
	"strconv"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// w3c is how a trace context travels with an event, in message headers and
// in stored outbox entries: W3C trace context and baggage, as over HTTP.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// TraceCarrier returns the trace context of ctx as header values (nil
// when ctx is in no trace), to be stored with an event published later.
func TraceCarrier(ctx context.Context) map[string]string {
	c := propagation.MapCarrier{}
	w3c.Inject(ctx, c)
	if len(c) == 0 {
		return nil
	}
	return c
}

// ContextWithTrace returns ctx carrying the trace context of header values
// from TraceCarrier.
func ContextWithTrace(ctx context.Context, carrier map[string]string) context.Context {
	if len(carrier) == 0 {
		return ctx
	}
	return w3c.Extract(ctx, propagation.MapCarrier(carrier))
}

// Tracing records a span per published and per handled message, and
// carries the trace from producer to consumer in the message headers
// (kafka-go has no instrumentation of its own). A nil *Tracing records
// and carries nothing.
type Tracing struct {
	tracer trace.Tracer
}

// NewTracing returns the Kafka tracing of a service's tracer provider.
func NewTracing(tp trace.TracerProvider) *Tracing {
	return &Tracing{tracer: tp.Tracer("github.com/shopsupergraph/shop/platform/kafkax")}
}

// StartPublish starts a producer span for m as a child of ctx and writes
// its context into m's headers. End the span once the write returned.
func (t *Tracing) StartPublish(ctx context.Context, m *kafka.Message) trace.Span {
	if t == nil {
		return trace.SpanFromContext(context.Background())
	}
	ctx, span := t.tracer.Start(ctx, "send "+m.Topic, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemKafka,
			semconv.MessagingOperationTypeSend,
			semconv.MessagingOperationName("send"),
			semconv.MessagingDestinationName(m.Topic),
			semconv.MessagingKafkaMessageKey(string(m.Key)),
		))
	w3c.Inject(ctx, headerCarrier{m: m})
	return span
}

// EndPublish ends the spans of messages written together, marking them
// failed when the write failed.
func EndPublish(spans []trace.Span, err error) {
	for _, s := range spans {
		if err != nil {
			s.RecordError(err)
			s.SetStatus(codes.Error, err.Error())
		}
		s.End()
	}
}

// Handle runs h inside a consumer span of m whose parent is the trace
// context in m's headers (a new trace when it carries none).
func (t *Tracing) Handle(ctx context.Context, m kafka.Message, group string, h func(context.Context) error) error {
	if t == nil {
		return h(ctx)
	}
	ctx = w3c.Extract(ctx, headerCarrier{m: &m})
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKafka,
		semconv.MessagingOperationTypeProcess,
		semconv.MessagingOperationName("process"),
		semconv.MessagingDestinationName(m.Topic),
		semconv.MessagingDestinationPartitionID(strconv.Itoa(m.Partition)),
		semconv.MessagingKafkaOffset(int(m.Offset)),
		semconv.MessagingKafkaMessageKey(string(m.Key)),
	}
	if group != "" {
		attrs = append(attrs, semconv.MessagingConsumerGroupName(group))
	}
	ctx, span := t.tracer.Start(ctx, "process "+m.Topic, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
	defer span.End()
	err := h(ctx)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	return err
}

// headerCarrier reads and writes trace context in a message's headers.
type headerCarrier struct{ m *kafka.Message }

func (c headerCarrier) Get(key string) string {
	for _, h := range c.m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c headerCarrier) Set(key, value string) {
	for i, h := range c.m.Headers {
		if h.Key == key {
			c.m.Headers[i].Value = []byte(value)
			return
		}
	}
	c.m.Headers = append(c.m.Headers, kafka.Header{Key: key, Value: []byte(value)})
}

func (c headerCarrier) Keys() []string {
	keys := make([]string, len(c.m.Headers))
	for i, h := range c.m.Headers {
		keys[i] = h.Key
	}
	return keys
}

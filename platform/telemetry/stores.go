package telemetry

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/event"
	"go.opentelemetry.io/contrib/instrumentation/go.mongodb.org/mongo-driver/mongo/otelmongo"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// MongoMonitor returns a command monitor (options.Client().SetMonitor)
// recording a client span per MongoDB command, with the driver's own
// instrumentation. Commands are not recorded as attributes: they carry
// customer data (password hashes, addresses).
func (t *Telemetry) MongoMonitor() *event.CommandMonitor {
	return otelmongo.NewMonitor(
		otelmongo.WithTracerProvider(childOnly{tp: t.tp}),
		otelmongo.WithCommandAttributeDisabled(true),
	)
}

// InstrumentRedis records a client span per Redis command of rdb, with
// go-redis' own instrumentation; keys and values are left out of the
// spans, since they name users and client addresses.
func (t *Telemetry) InstrumentRedis(rdb *redis.Client) error {
	if rdb == nil {
		return nil
	}
	if err := redisotel.InstrumentTracing(rdb,
		redisotel.WithTracerProvider(childOnly{tp: t.tp}),
		redisotel.WithDBStatement(false),
		redisotel.WithCallerEnabled(false),
	); err != nil {
		return fmt.Errorf("instrument redis: %w", err)
	}
	return nil
}

// childOnly records spans only inside a trace that is already running.
// Database and cache calls of background loops (outbox relays polling every
// 100 ms, leases, sweepers) would otherwise each start a trace of their
// own and drown the traces of requests and events.
type childOnly struct {
	embedded.TracerProvider
	tp trace.TracerProvider
}

func (c childOnly) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return childOnlyTracer{tracer: c.tp.Tracer(name, opts...), none: noop.NewTracerProvider().Tracer(name)}
}

type childOnlyTracer struct {
	embedded.Tracer
	tracer, none trace.Tracer
}

func (t childOnlyTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return t.none.Start(ctx, name, opts...)
	}
	return t.tracer.Start(ctx, name, opts...)
}

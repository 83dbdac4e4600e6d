package telemetry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestStoreSpansInsideTraces: database and cache calls made while handling
// a traced request become its children, without the commands' contents;
// the same calls outside any trace (background loops) record nothing.
func TestStoreSpansInsideTraces(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	tel, exp := newTelemetry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, db, err := mongox.ConnectWithMonitor(ctx, env.MongoURI, testenv.Name("telemetry"), tel.MongoMonitor())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	rdb := redisx.NewCache(redisx.Config{Addr: env.RedisAddr})
	defer rdb.Close()
	if err := tel.InstrumentRedis(rdb); err != nil {
		t.Fatal(err)
	}
	key := testenv.Name("telemetry") + ":secret-key"

	// Outside a trace: nothing.
	if _, err := db.Collection("things").InsertOne(ctx, bson.M{"_id": "background", "password": "hunter2"}); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, key, "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	// Inside one: a span each, children of the request.
	reqCtx, request := tel.TracerProvider().Tracer("test").Start(ctx, "request")
	if _, err := db.Collection("things").InsertOne(reqCtx, bson.M{"_id": "traced", "password": "hunter2"}); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Get(reqCtx, key).Err(); err != nil {
		t.Fatal(err)
	}
	request.End()
	flush(t, tel)

	var mongoSpans, redisSpans []sdktrace.ReadOnlySpan
	for _, s := range exp.GetSpans().Snapshots() {
		attrs := map[string]string{}
		for _, a := range s.Attributes() {
			attrs[string(a.Key)] = a.Value.Emit()
			if v := a.Value.Emit(); strings.Contains(v, "hunter2") || strings.Contains(v, "secret-key") {
				t.Errorf("span %q records data: %s=%s", s.Name(), a.Key, v)
			}
		}
		switch {
		case attrs["db.system"] == "mongodb" || attrs["db.system.name"] == "mongodb":
			mongoSpans = append(mongoSpans, s)
		case attrs["db.system"] == "redis" || attrs["db.system.name"] == "redis":
			redisSpans = append(redisSpans, s)
		}
	}
	if len(mongoSpans) != 1 || len(redisSpans) != 1 {
		t.Fatalf("%d mongo and %d redis spans, want 1 each (only the traced calls)", len(mongoSpans), len(redisSpans))
	}
	for _, s := range append(mongoSpans, redisSpans...) {
		if s.Parent().SpanID() != request.SpanContext().SpanID() {
			t.Errorf("span %q is not a child of the request", s.Name())
		}
	}
}

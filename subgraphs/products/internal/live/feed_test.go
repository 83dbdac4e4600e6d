package live_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/live"
)

// A feed opened late from a start time delivers what was written since
// then and nothing older; a feed opened without one starts at the newest
// offsets. All events share one key, so one partition and one order: the
// first event a feed delivers tells whether it skipped the older ones.
func TestFeedStartsAtNewestOrAtTime(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic := testenv.Name("feed") + ".products"
	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	if err := kc.EnsureTopics(ctx, topic); err != nil {
		t.Fatalf("topics: %v", err)
	}
	w := kc.Writer()
	defer w.Close()
	publish := func(id string) {
		t.Helper()
		e := events.Envelope{ID: id, Type: events.ProductUpdated, OccurredAt: time.Now().UTC()}
		m, err := kafkax.Message(topic, "same-key", e)
		if err != nil {
			t.Fatal(err)
		}
		// A topic created a moment ago may not take writes yet.
		for {
			if err = w.WriteMessages(ctx, m); err == nil || ctx.Err() != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("publish %s: %v", id, err)
		}
	}
	open := func(since time.Time) <-chan string {
		t.Helper()
		var f *live.Feed
		var err error
		for f == nil {
			if f, err = live.OpenFeed(ctx, kc, topic, since, slog.New(slog.DiscardHandler)); err != nil {
				if ctx.Err() != nil {
					t.Fatalf("open feed: %v", err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		got := make(chan string, 16)
		fctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.Run(fctx, func(_ context.Context, e events.Envelope) error { got <- e.ID; return nil })
		}()
		t.Cleanup(func() { stop(); <-done; f.Close() })
		return got
	}
	next := func(ch <-chan string) string {
		t.Helper()
		select {
		case id := <-ch:
			return id
		case <-ctx.Done():
			t.Fatal("no event delivered")
			return ""
		}
	}

	publish("before")
	time.Sleep(100 * time.Millisecond)
	since := time.Now()
	publish("after-since")
	newest := open(time.Time{})
	late := open(since)
	publish("after-open")

	if id := next(newest); id != "after-open" {
		t.Errorf("feed opened at the newest offsets delivered %q first, want after-open", id)
	}
	for _, want := range []string{"after-since", "after-open"} {
		if id := next(late); id != want {
			t.Errorf("feed opened from a time delivered %q, want %q", id, want)
		}
	}
}

package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
)

// Feed reads every partition of a topic from the offsets current when it
// was opened (or from a given time). Every replica must see every product
// event, so a feed joins no consumer group: per-replica groups would pay a
// group join before the first event (events written meanwhile would be
// missed by a group starting at the newest offset) and leave one abandoned
// group per replica start. Reading explicit partitions from offsets fixed
// at Open means anything written after Open is delivered.
type Feed struct {
	// Tracing, when set before Run, handles each event in a consumer
	// span continuing the trace it carries.
	Tracing *kafkax.Tracing

	topic   string
	log     *slog.Logger
	readers []*kafka.Reader
}

// OpenFeed resolves the topic's partitions and starts each at its newest
// offset, or, when since is not zero, at its first message written at or
// after since. A replica whose feed cannot open at start (a topic created
// a moment ago is not always listed yet) passes its start time, so the
// events written while it retried are still delivered.
func OpenFeed(ctx context.Context, kc *kafkax.Client, topic string, since time.Time, log *slog.Logger) (*Feed, error) {
	d := kc.Dialer()
	parts, err := kc.Partitions(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("open feed: %w", err)
	}
	if len(parts) == 0 {
		// A feed without readers would end at once and deliver nothing.
		return nil, fmt.Errorf("open feed: %s lists no partitions yet", topic)
	}
	f := &Feed{topic: topic, log: log}
	for _, p := range parts {
		start, err := startOffset(ctx, d, p, since)
		if err != nil {
			f.Close()
			return nil, err
		}
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers: kc.Brokers(), Dialer: d, Topic: topic, Partition: p.ID,
			MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond, ReadBatchTimeout: 100 * time.Millisecond,
		})
		if err := r.SetOffset(start); err != nil {
			_ = r.Close() //nolint:errcheck // already failing
			f.Close()
			return nil, fmt.Errorf("open feed: set offset: %w", err)
		}
		f.readers = append(f.readers, r)
	}
	return f, nil
}

// startOffset returns the partition's newest offset, or its first offset
// whose message is at least as recent as since. The newest offset is read
// first: a message appended between the two lookups is then still covered.
func startOffset(ctx context.Context, d *kafka.Dialer, p kafka.Partition, since time.Time) (int64, error) {
	if p.Leader.Host == "" {
		return 0, fmt.Errorf("open feed: %s/%d has no leader yet", p.Topic, p.ID)
	}
	addr := net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port))
	c, err := d.DialLeader(ctx, "tcp", addr, p.Topic, p.ID)
	if err != nil {
		return 0, fmt.Errorf("open feed: dial leader of %s/%d: %w", p.Topic, p.ID, err)
	}
	defer c.Close()
	last, err := c.ReadLastOffset()
	if err != nil {
		return 0, fmt.Errorf("open feed: last offset of %s/%d: %w", p.Topic, p.ID, err)
	}
	if since.IsZero() {
		return last, nil
	}
	first, err := c.ReadOffset(since)
	if err != nil {
		return 0, fmt.Errorf("open feed: offset at %s of %s/%d: %w", since.Format(time.RFC3339Nano), p.Topic, p.ID, err)
	}
	// -1: no message that recent (the broker's answer for "none").
	if first >= 0 && first < last {
		return first, nil
	}
	return last, nil
}

// Handler processes one event of the feed. Its errors are logged: a feed
// serves best-effort fan-out, and the cache has a TTL behind it.
type Handler func(ctx context.Context, e events.Envelope) error

// Run reads every partition until ctx ends.
func (f *Feed) Run(ctx context.Context, h Handler) {
	var wg sync.WaitGroup
	for _, r := range f.readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.read(ctx, r, h)
		}()
	}
	wg.Wait()
}

func (f *Feed) read(ctx context.Context, r *kafka.Reader, h Handler) {
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.log.Warn("product feed read failed", "topic", f.topic, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil || e.ID == "" {
			f.log.Error("skipping undecodable product event", "offset", m.Offset, "err", err)
			continue
		}
		if err := f.Tracing.Handle(ctx, m, "", func(ctx context.Context) error { return h(ctx, e) }); err != nil && ctx.Err() == nil {
			f.log.Warn("product event not handled", "type", e.Type, "id", e.ID, "err", err)
		}
	}
}

// Close closes the partition readers.
func (f *Feed) Close() {
	for _, r := range f.readers {
		_ = r.Close() //nolint:errcheck // closing on shutdown
	}
}

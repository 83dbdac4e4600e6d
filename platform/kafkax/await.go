package kafkax

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// AwaitTopics waits until the brokers' metadata lists every topic with at
// least one partition, each with a leader, or ctx ends. Creating a topic
// returns before every broker knows it, and a kafka-go group reader that
// joins while its topic is missing is assigned no partitions and may never
// read; so whoever starts a reader right after EnsureTopics (tests above
// all) awaits the topics first.
func AwaitTopics(ctx context.Context, brokers []string, topics ...string) error {
	if len(brokers) == 0 {
		return errors.New("await topics: no brokers")
	}
	var last error
	for {
		last = topicsReady(ctx, brokers[0], topics)
		if last == nil {
			return nil
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return fmt.Errorf("await topics %v: %w (last: %w)", topics, ctx.Err(), last)
		}
	}
}

// topicsReady asks one broker for the topics' metadata.
func topicsReady(ctx context.Context, broker string, topics []string) error {
	d := &kafka.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", broker)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl) //nolint:errcheck // a failed read reports it
	}
	parts, err := conn.ReadPartitions(topics...)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	led := map[string]int{}
	for _, p := range parts {
		if p.Leader.Host == "" {
			return fmt.Errorf("topic %s partition %d has no leader yet", p.Topic, p.ID)
		}
		led[p.Topic]++
	}
	for _, t := range topics {
		if led[t] == 0 {
			return fmt.Errorf("topic %s not listed yet", t)
		}
	}
	return nil
}

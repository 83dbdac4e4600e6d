// Package kafkax wraps kafka-go with the settings the shop needs: small
// batch timeouts (kafka-go's 1 s default is per-message latency), explicit
// topic creation, and a consume loop that commits only handled messages.
package kafkax

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/platform/events"
)

// NewWriter returns a writer that balances by message key (so one
// aggregate's events stay in one partition, in order) and flushes quickly.
func NewWriter(brokers []string) *kafka.Writer {
	return &kafka.Writer{
		Addr:                   kafka.TCP(brokers...),
		Balancer:               &kafka.Hash{},
		BatchTimeout:           5 * time.Millisecond,
		RequiredAcks:           kafka.RequireAll,
		AllowAutoTopicCreation: true,
		WriteTimeout:           5 * time.Second,
		ReadTimeout:            5 * time.Second,
		MaxAttempts:            3,
	}
}

// ReaderConfig describes one consumer.
type ReaderConfig struct {
	Brokers []string
	Topic   string
	// GroupID shares work between replicas. Use a per-replica group when
	// every replica must see every event (cache invalidation).
	GroupID string
	// StartLast makes a new group start at the newest offset instead of the oldest.
	StartLast bool
}

// NewReader returns a group reader with low fetch latency and explicit commits.
func NewReader(c ReaderConfig) *kafka.Reader {
	start := kafka.FirstOffset
	if c.StartLast {
		start = kafka.LastOffset
	}
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:               c.Brokers,
		Topic:                 c.Topic,
		GroupID:               c.GroupID,
		MinBytes:              1,
		MaxBytes:              10 << 20,
		MaxWait:               100 * time.Millisecond,
		ReadBatchTimeout:      100 * time.Millisecond,
		StartOffset:           start,
		HeartbeatInterval:     time.Second,
		SessionTimeout:        10 * time.Second,
		RebalanceTimeout:      10 * time.Second,
		JoinGroupBackoff:      500 * time.Millisecond,
		WatchPartitionChanges: true,
	})
}

// EnsureTopics creates topics (idempotent) with the given partition count.
func EnsureTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	if len(brokers) == 0 {
		return errors.New("ensure topics: no brokers")
	}
	d := &kafka.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return fmt.Errorf("ensure topics: dial: %w", err)
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("ensure topics: controller: %w", err)
	}
	cc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("ensure topics: dial controller: %w", err)
	}
	defer cc.Close()
	cfgs := make([]kafka.TopicConfig, 0, len(topics))
	for _, t := range topics {
		cfgs = append(cfgs, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1})
	}
	if err := cc.CreateTopics(cfgs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("ensure topics: %w", err)
	}
	return nil
}

// Message builds a Kafka message for an envelope keyed by aggregate id.
func Message(topic, key string, e events.Envelope) (kafka.Message, error) {
	v, err := json.Marshal(e)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encode envelope: %w", err)
	}
	return kafka.Message{Topic: topic, Key: []byte(key), Value: v}, nil
}

// Handler processes one event. Returning an error makes Consume retry the
// same message after a pause (it is not committed), so handlers must be
// idempotent by envelope ID.
type Handler func(ctx context.Context, e events.Envelope) error

// Consume reads r until ctx ends, handing each decoded envelope to h and
// committing it once handled. Undecodable messages are logged and skipped:
// retrying them can never succeed.
func Consume(ctx context.Context, r *kafka.Reader, log *slog.Logger, h Handler) error {
	return consume(ctx, r, log, nil, h)
}

// Consume is kafkax.Consume with each attempt at handling a message in a
// consumer span that continues the trace the message carries.
func (t *Tracing) Consume(ctx context.Context, r *kafka.Reader, log *slog.Logger, h Handler) error {
	return consume(ctx, r, log, t, h)
}

func consume(ctx context.Context, r *kafka.Reader, log *slog.Logger, t *Tracing, h Handler) error {
	group := r.Config().GroupID
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("kafka fetch failed", "topic", r.Config().Topic, "err", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
			continue
		}
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil || e.ID == "" {
			log.Error("skipping undecodable event", "topic", m.Topic, "offset", m.Offset, "err", err)
		} else {
			for attempt := 0; ; attempt++ {
				if err := t.Handle(ctx, m, group, func(ctx context.Context) error { return h(ctx, e) }); err == nil {
					break
				} else if ctx.Err() != nil {
					return nil
				} else {
					log.Warn("event handler failed, retrying", "type", e.Type, "id", e.ID, "attempt", attempt, "err", err)
				}
				if !sleep(ctx, backoff(attempt)) {
					return nil
				}
			}
		}
		if err := r.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
			log.Warn("kafka commit failed", "topic", m.Topic, "offset", m.Offset, "err", err)
		}
	}
}

func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 6)
	return min(d, 5*time.Second)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

package kafkax

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/shopsupergraph/shop/platform/events"
)

// Headers of a dead-lettered message, beside the ones it came with.
const (
	HeaderSourceTopic     = "dlq.source.topic"
	HeaderSourcePartition = "dlq.source.partition"
	HeaderSourceOffset    = "dlq.source.offset"
	HeaderGroup           = "dlq.group"
	HeaderError           = "dlq.error"
	HeaderAttempts        = "dlq.attempts"
	HeaderFailedAt        = "dlq.failed.at"
)

// maxErrorHeader bounds the error text a dead-lettered message carries.
const maxErrorHeader = 1024

// DeadLetterTopic names the topic where the consumers of topic set aside
// the events they cannot handle. Services create it with topic.
func DeadLetterTopic(topic string) string { return topic + ".dlq" }

// Handler processes one event. Handlers must be idempotent by envelope
// ID: an event is delivered again when its commit is lost. A returned
// error is retried after a pause; one marked with events.Poison is
// dead-lettered once it has failed RetryConfig.DeadLetterAfter times.
type Handler func(ctx context.Context, e events.Envelope) error

// Consumer reads one topic in a consumer group and commits each message
// once it is settled: handled, or dead-lettered.
//
// The rule: a failure is presumed passing (a database, a broker or the
// network down, a timeout) and the event is retried with a growing pause
// until it is handled, however long that takes, so an outage never sends
// events to the dead-letter topic. Only a failure that says the event
// itself is wrong is permanent: an envelope that does not decode (set
// aside at once: nothing could ever handle it) and a handler error marked
// with events.Poison (undecodable data, failed validation), tried
// DeadLetterAfter times. A permanent failure is published to the
// dead-letter topic with the headers above, logged once as "event
// dead-lettered" and counted (DeadLettered), and then committed, so the
// events behind it in its partition keep flowing.
type Consumer struct {
	reader   *kafka.Reader
	dlq      *kafka.Writer
	dlqTopic string
	group    string
	retry    RetryConfig
	log      *slog.Logger
	// Tracing, when set, handles each attempt in a consumer span that
	// continues the trace the message carries.
	Tracing *Tracing

	deadLettered atomic.Int64
	// deadLetters counts them as a metric once Instrument was called.
	deadLetters metric.Int64Counter
}

// Instrument counts this consumer's dead-lettered events in the metric
// messaging.kafka.dead_lettered (attributes messaging.destination.name,
// the source topic, and messaging.consumer.group.name) of mp, beside the
// log line each gets.
func (c *Consumer) Instrument(mp metric.MeterProvider) error {
	counter, err := mp.Meter("github.com/shopsupergraph/shop/platform/kafkax").Int64Counter("messaging.kafka.dead_lettered",
		metric.WithUnit("{message}"), metric.WithDescription("Events published to the dead-letter topic after failing for good"))
	if err != nil {
		return fmt.Errorf("dead-letter metric: %w", err)
	}
	c.deadLetters = counter
	return nil
}

// Consumer returns a consumer of rc's topic whose dead letters go to
// DeadLetterTopic(rc.Topic). Create both topics (SetUpTopics) first.
func (c *Client) Consumer(rc ReaderConfig, log *slog.Logger) *Consumer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Consumer{
		reader: c.Reader(rc), dlq: c.Writer(), dlqTopic: DeadLetterTopic(rc.Topic),
		group: rc.GroupID, retry: c.cfg.Retry, log: log,
	}
}

// DeadLettered is how many events this consumer has dead-lettered.
func (c *Consumer) DeadLettered() int64 { return c.deadLettered.Load() }

// Close closes the reader and the dead-letter writer.
func (c *Consumer) Close() error {
	return errors.Join(c.reader.Close(), c.dlq.Close())
}

// Run hands each event to h until ctx ends, then returns nil. A message
// is committed only once settled; one interrupted by ctx is read again by
// the next run.
func (c *Consumer) Run(ctx context.Context, h Handler) error {
	topic := c.reader.Config().Topic
	for {
		m, err := c.reader.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			c.log.Warn("kafka fetch failed", "topic", topic, "err", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
			continue
		}
		if !c.settle(ctx, m, h) {
			return nil
		}
		if err := c.reader.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
			c.log.Warn("kafka commit failed", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "err", err)
		}
	}
}

// settle handles or dead-letters m; false means ctx ended first.
func (c *Consumer) settle(ctx context.Context, m kafka.Message, h Handler) bool {
	var e events.Envelope
	if err := json.Unmarshal(m.Value, &e); err != nil || e.ID == "" {
		if err == nil {
			err = errors.New("no event id")
		}
		return c.deadLetter(ctx, m, e, fmt.Errorf("undecodable envelope: %w", err), 1)
	}
	poisoned := 0
	for attempt := 1; ; attempt++ {
		err := c.Tracing.Handle(ctx, m, c.group, func(ctx context.Context) error { return h(ctx, e) })
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		poison := errors.Is(err, events.ErrPoison)
		if poison {
			poisoned++
			if poisoned >= c.retry.DeadLetterAfter {
				return c.deadLetter(ctx, m, e, err, attempt)
			}
		}
		c.log.Warn("event handler failed, retrying", "type", e.Type, "id", e.ID, "topic", m.Topic,
			"partition", m.Partition, "offset", m.Offset, "attempt", attempt, "poison", poison, "err", err)
		if !sleep(ctx, c.backoff(attempt)) {
			return false
		}
	}
}

// deadLetter publishes m to the dead-letter topic, retrying until the
// broker takes it (an unpublished poison event must not be committed).
func (c *Consumer) deadLetter(ctx context.Context, m kafka.Message, e events.Envelope, cause error, attempts int) bool {
	reason := cause.Error()
	if len(reason) > maxErrorHeader {
		reason = reason[:maxErrorHeader]
	}
	headers := append(append([]kafka.Header(nil), m.Headers...),
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(m.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(m.Partition))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
		kafka.Header{Key: HeaderGroup, Value: []byte(c.group)},
		kafka.Header{Key: HeaderError, Value: []byte(reason)},
		kafka.Header{Key: HeaderAttempts, Value: []byte(strconv.Itoa(attempts))},
		kafka.Header{Key: HeaderFailedAt, Value: []byte(time.Now().UTC().Format(time.RFC3339Nano))},
	)
	msg := kafka.Message{Topic: c.dlqTopic, Key: m.Key, Value: m.Value, Headers: headers}
	for failures := 1; ; failures++ {
		err := c.dlq.WriteMessages(ctx, msg)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return false
		}
		c.log.Warn("dead-letter publish failed, retrying", "dlq", c.dlqTopic, "topic", m.Topic,
			"partition", m.Partition, "offset", m.Offset, "err", err)
		if !sleep(ctx, c.backoff(failures)) {
			return false
		}
	}
	n := c.deadLettered.Add(1)
	if c.deadLetters != nil {
		c.deadLetters.Add(ctx, 1, metric.WithAttributes(
			attribute.String("messaging.destination.name", m.Topic), attribute.String("messaging.consumer.group.name", c.group)))
	}
	c.log.Error("event dead-lettered", "id", e.ID, "type", e.Type, "topic", m.Topic, "partition", m.Partition,
		"offset", m.Offset, "group", c.group, "attempts", attempts, "dlq", c.dlqTopic, "err", reason, "deadLettered", n)
	return true
}

// backoff is the pause after the given failure: Backoff doubled per
// earlier failure, at most BackoffMax.
func (c *Consumer) backoff(failure int) time.Duration {
	d := c.retry.Backoff << min(failure-1, 16)
	return min(d, c.retry.BackoffMax)
}

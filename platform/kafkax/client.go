package kafkax

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
)

// dialTimeout bounds one connection attempt to a broker.
const dialTimeout = 5 * time.Second

// Client hands out writers, readers and dialers that all reach the brokers
// the same way (TLS, SASL), and administers topics. One per service.
type Client struct {
	cfg       Config
	tls       *tls.Config
	mechanism sasl.Mechanism
	dialer    *kafka.Dialer
	// transport is shared by the client's writers (kafka-go's writers
	// otherwise share a process-wide one, which cannot carry TLS or SASL).
	transport *kafka.Transport
}

// New returns a client for cfg, whose zero fields take their development
// defaults. It fails when the TLS files cannot be read.
func New(cfg Config) (*Client, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("kafka client: no brokers")
	}
	cfg = cfg.withDefaults()
	tlsCfg, err := cfg.TLS.build()
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	mech, err := cfg.SASL.build()
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	return &Client{
		cfg: cfg, tls: tlsCfg, mechanism: mech,
		dialer:    &kafka.Dialer{Timeout: dialTimeout, DualStack: true, TLS: tlsCfg, SASLMechanism: mech},
		transport: &kafka.Transport{DialTimeout: dialTimeout, TLS: tlsCfg, SASL: mech},
	}, nil
}

// Config returns the client's configuration, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Brokers returns the bootstrap brokers.
func (c *Client) Brokers() []string { return c.cfg.Brokers }

// Dialer returns a dialer with the client's TLS and SASL settings, for
// connections kafka-go's readers and writers do not cover.
func (c *Client) Dialer() *kafka.Dialer { return c.dialer }

// Close releases the writers' idle connections. Close the writers first.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// Writer returns a writer that balances by message key (so one
// aggregate's events stay in one partition, in order), flushes quickly
// (kafka-go's 1 s default batch timeout is per-message latency), waits for
// every in-sync replica, and never asks the broker to create a topic: topics
// are created by EnsureTopics with their partitions, replication and
// min.insync.replicas, and a write to a topic that does not exist fails.
func (c *Client) Writer() *kafka.Writer {
	return &kafka.Writer{
		Addr:                   kafka.TCP(c.cfg.Brokers...),
		Transport:              c.transport,
		Balancer:               &kafka.Hash{},
		BatchTimeout:           5 * time.Millisecond,
		RequiredAcks:           kafka.RequireAll,
		AllowAutoTopicCreation: false,
		WriteTimeout:           5 * time.Second,
		ReadTimeout:            5 * time.Second,
		MaxAttempts:            3,
	}
}

// ReaderConfig describes one group consumer.
type ReaderConfig struct {
	Topic string
	// GroupID shares work between replicas. Use a per-replica group when
	// every replica must see every event (cache invalidation).
	GroupID string
	// StartLast makes a new group start at the newest offset instead of the oldest.
	StartLast bool
}

// Reader returns a group reader with low fetch latency and explicit commits.
func (c *Client) Reader(rc ReaderConfig) *kafka.Reader {
	start := kafka.FirstOffset
	if rc.StartLast {
		start = kafka.LastOffset
	}
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:               c.cfg.Brokers,
		Dialer:                c.dialer,
		Topic:                 rc.Topic,
		GroupID:               rc.GroupID,
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

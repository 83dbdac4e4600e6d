package kafkax_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// newClient returns a client for cfg, closed when the test ends.
func newClient(t *testing.T, cfg kafkax.Config) *kafkax.Client {
	t.Helper()
	c, err := kafkax.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestEnsureTopicsOnACluster creates topics on a three-broker cluster
// whose first listed broker is down and whose next one is not the
// controller: the topics get the configured partitions, three replicas
// each and min.insync.replicas 2. Asking again changes nothing.
func TestEnsureTopicsOnACluster(t *testing.T) {
	t.Parallel()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	brokers := append([]string{deadAddr(t)}, cluster.ListenAddrs()...)
	c := newClient(t, kafkax.Config{Brokers: brokers, Partitions: 4, ReplicationFactor: 3, MinInsyncReplicas: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := []string{"shop.orders", kafkax.DeadLetterTopic("shop.orders")}
	for range 2 {
		if err := c.EnsureTopics(ctx, topics...); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AwaitTopics(ctx, topics...); err != nil {
		t.Fatal(err)
	}
	parts, err := c.Partitions(ctx, topics...)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 8 {
		t.Fatalf("%d partitions, want 4 per topic: %+v", len(parts), parts)
	}
	for _, p := range parts {
		if len(p.Replicas) != 3 {
			t.Errorf("%s/%d has %d replicas, want 3", p.Topic, p.ID, len(p.Replicas))
		}
	}
	admin := &kafka.Client{Addr: kafka.TCP(cluster.ListenAddrs()...), Transport: &kafka.Transport{}}
	var res []kafka.DescribeConfigRequestResource
	for _, topic := range topics {
		res = append(res, kafka.DescribeConfigRequestResource{ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{"min.insync.replicas"}})
	}
	desc, err := admin.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: res})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range desc.Resources {
		if r.Error != nil || len(r.ConfigEntries) != 1 || r.ConfigEntries[0].ConfigValue != "2" {
			t.Errorf("%s: min.insync.replicas = %+v (err %v), want 2", r.ResourceName, r.ConfigEntries, r.Error)
		}
	}
}

// TestEnsureTopicsRefusal: a replication factor the cluster cannot meet
// (production's 3 on a single broker) is refused with Kafka's reason,
// at once rather than after trying every broker again.
func TestEnsureTopicsRefusal(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	if len(env.KafkaBrokers) != 1 {
		t.Skipf("needs a single-broker cluster, have %v", env.KafkaBrokers)
	}
	c := newClient(t, kafkax.Config{Brokers: env.KafkaBrokers, ReplicationFactor: 3, MinInsyncReplicas: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := c.EnsureTopics(ctx, testenv.Name("refused"))
	if !errors.Is(err, kafka.InvalidReplicationFactor) {
		t.Fatalf("EnsureTopics with replication 3 on one broker = %v, want %v", err, kafka.InvalidReplicationFactor)
	}
}

// TestWriterNeverCreatesTopics writes to a topic nobody created, on a
// broker that would create it on request (the embedded stand-in and the
// test script's Kafka both allow it): the write fails and the topic still
// does not exist.
func TestWriterNeverCreatesTopics(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	c := newClient(t, kafkax.Config{Brokers: env.KafkaBrokers})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic := testenv.Name("never_created")
	w := c.Writer()
	w.MaxAttempts = 1
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Topic: topic, Value: []byte("x")}); err == nil {
		t.Fatal("a write to a missing topic succeeded")
	}
	// A fresh transport: its metadata is read now, not cached.
	meta, err := (&kafka.Client{Addr: kafka.TCP(env.KafkaBrokers...), Transport: &kafka.Transport{}}).Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(meta.Topics, func(tp kafka.Topic) bool { return tp.Name == topic }) {
		t.Fatalf("the writer had %s created", topic)
	}
}

func TestAwaitTopics(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	c := newClient(t, kafkax.Config{Brokers: env.KafkaBrokers})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := []string{testenv.Name("await") + ".a", testenv.Name("await") + ".b"}
	if err := c.EnsureTopics(ctx, topics...); err != nil {
		t.Fatal(err)
	}
	if err := c.AwaitTopics(ctx, topics...); err != nil {
		t.Fatal(err)
	}
}

func TestAwaitTopicsWithoutBroker(t *testing.T) {
	t.Parallel()
	c := newClient(t, kafkax.Config{Brokers: []string{deadAddr(t)}})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.AwaitTopics(ctx, "x"); err == nil {
		t.Fatal("awaited a topic on a broker that does not exist")
	}
	if _, err := kafkax.New(kafkax.Config{}); err == nil {
		t.Fatal("a client without brokers")
	}
}

// TestSetUpTopicsWaitsForTheBroker: a service starting before its broker
// keeps trying, and creates its topics once the broker listens.
func TestSetUpTopicsWaitsForTheBroker(t *testing.T) {
	t.Parallel()
	addr := deadAddr(t)
	_, portText, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, kafkax.Config{Brokers: []string{addr}, Partitions: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan bool, 1)
	go func() { done <- c.SetUpTopics(ctx, slog.New(slog.DiscardHandler), "late.topic") }()
	time.Sleep(600 * time.Millisecond) // a few failed rounds
	select {
	case ok := <-done:
		t.Fatalf("SetUpTopics returned %v before the broker existed", ok)
	default:
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port))
	if err != nil {
		t.Fatalf("start the broker on the port it was expected on: %v", err)
	}
	t.Cleanup(cluster.Close)
	if !<-done {
		t.Fatal("SetUpTopics gave up")
	}
	parts, err := c.Partitions(ctx, "late.topic")
	if err != nil || len(parts) != 2 {
		t.Fatalf("partitions = %v, %v; want 2", parts, err)
	}
	// A caller that stops waiting gets false.
	stopped, stop := context.WithCancel(context.Background())
	stop()
	if newClient(t, kafkax.Config{Brokers: []string{deadAddr(t)}}).SetUpTopics(stopped, slog.New(slog.DiscardHandler), "x") {
		t.Fatal("SetUpTopics reported success without a broker")
	}
}

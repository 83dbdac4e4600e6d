// Command kafka-ready waits until a Kafka broker serves everything the shop
// uses, through the same client (kafka-go, via platform/kafkax): it creates
// a topic, produces a message and consumes and commits it in a consumer
// group. A fresh KRaft broker accepts connections before its group
// coordinator is loaded, and the first group lookup creates
// __consumer_offsets; until then group readers fail their first fetches.
// `make test-real` runs this before the suites so they start on a warm
// broker, and it doubles as the proof that kafka-go talks to that broker
// version.
//
//	kafka-ready --brokers 127.0.0.1:9092 [--timeout 90s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/platform/kafkax"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kafka-ready:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("kafka-ready", flag.ContinueOnError)
	brokers := fs.String("brokers", "127.0.0.1:9092", "comma-separated broker addresses")
	timeout := fs.Duration("timeout", 90*time.Second, "how long to wait for the broker")
	version := fs.Bool("version", false, "print the version, commit and Go version, then exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version {
		return buildinfo.Print(os.Stdout, "kafka-ready")
	}
	list := strings.Split(*brokers, ",")
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	var last error
	for attempt := 1; ; attempt++ {
		if last = roundTrip(ctx, list, attempt); last == nil {
			fmt.Printf("kafka-ready: %s produces, consumes and commits in a group (%s, %d attempt(s))\n",
				*brokers, time.Since(start).Round(time.Millisecond), attempt)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("broker %s not ready after %s: %w", *brokers, *timeout, last)
		case <-time.After(time.Second):
		}
	}
}

// roundTrip produces one message to a fresh topic and reads it back through
// a consumer group, committing it.
func roundTrip(ctx context.Context, brokers []string, attempt int) error {
	actx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	topic := fmt.Sprintf("shop_ready_%d_%d", time.Now().UnixNano(), attempt)
	kc, err := kafkax.New(kafkax.Config{Brokers: brokers, Partitions: 1})
	if err != nil {
		return err
	}
	defer kc.Close()
	if err := kc.EnsureTopics(actx, topic); err != nil {
		return err
	}
	w := kc.Writer()
	defer w.Close()
	want := fmt.Sprintf("ping-%d", attempt)
	if err := w.WriteMessages(actx, kafka.Message{Topic: topic, Key: []byte("k"), Value: []byte(want)}); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	r := kc.Reader(kafkax.ReaderConfig{Topic: topic, GroupID: topic + "_g"})
	defer r.Close()
	m, err := r.FetchMessage(actx)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	if string(m.Value) != want {
		return errors.New("consume: read " + string(m.Value) + ", want " + want)
	}
	if err := r.CommitMessages(actx, m); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

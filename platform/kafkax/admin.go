package kafkax

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// adminTimeout bounds one administrative exchange when ctx has no deadline.
const adminTimeout = 10 * time.Second

// EnsureTopics creates the topics that do not exist yet, with the client's
// partitions, replication factor and min.insync.replicas; existing topics
// are left as they are. It asks each broker in turn who the controller
// is and sends the creation there, so one broker down does not stop it. A
// refusal by the controller (a replication factor above the number of
// brokers, say) is returned at once: another broker would not change it.
func (c *Client) EnsureTopics(ctx context.Context, topics ...string) error {
	if len(topics) == 0 {
		return nil
	}
	cfgs := make([]kafka.TopicConfig, len(topics))
	for i, t := range topics {
		cfgs[i] = kafka.TopicConfig{
			Topic: t, NumPartitions: c.cfg.Partitions, ReplicationFactor: c.cfg.ReplicationFactor,
			ConfigEntries: []kafka.ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: strconv.Itoa(c.cfg.MinInsyncReplicas)}},
		}
	}
	var errs []error
	for _, b := range c.cfg.Brokers {
		err := c.createVia(ctx, b, cfgs)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("via %s: %w", b, err))
		var kerr kafka.Error
		if ctx.Err() != nil || (errors.As(err, &kerr) && !errors.Is(err, kafka.NotController)) {
			break
		}
	}
	return fmt.Errorf("ensure topics %v: %w", topics, errors.Join(errs...))
}

// createVia finds the controller through broker and creates the topics there.
func (c *Client) createVia(ctx context.Context, broker string, cfgs []kafka.TopicConfig) error {
	conn, err := c.dial(ctx, broker)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	cc, err := c.dial(ctx, net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("controller %d: %w", ctrl.ID, err)
	}
	defer cc.Close()
	if err := cc.CreateTopics(cfgs...); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	return nil
}

// dial connects to one broker with the client's TLS and SASL settings and
// a deadline for the exchange: ctx's, or adminTimeout from now.
func (c *Client) dial(ctx context.Context, addr string) (*kafka.Conn, error) {
	conn, err := c.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(adminTimeout)
	}
	if err := conn.SetDeadline(dl); err != nil {
		_ = conn.Close() //nolint:errcheck // already failing
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return conn, nil
}

// Partitions returns the partitions of the topics that exist, from the
// first broker that answers. It lists the whole cluster rather than naming
// the topics, because a metadata request naming a missing topic makes a
// broker that allows it create the topic with its own defaults.
func (c *Client) Partitions(ctx context.Context, topics ...string) ([]kafka.Partition, error) {
	want := map[string]bool{}
	for _, t := range topics {
		want[t] = true
	}
	var errs []error
	for _, b := range c.cfg.Brokers {
		conn, err := c.dial(ctx, b)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		all, err := conn.ReadPartitions()
		_ = conn.Close() //nolint:errcheck // the answer is read
		if err != nil {
			errs = append(errs, fmt.Errorf("metadata from %s: %w", b, err))
			continue
		}
		var out []kafka.Partition
		for _, p := range all {
			if want[p.Topic] {
				out = append(out, p)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("partitions of %v: %w", topics, errors.Join(errs...))
}

// AwaitTopics waits until the brokers' metadata lists every topic with at
// least one partition, each with a leader, or ctx ends. Creating a topic
// returns before every broker knows it, and a kafka-go group reader that
// joins while its topic is missing is assigned no partitions and may never
// read; so whoever starts a reader right after EnsureTopics (tests above
// all) awaits the topics first.
func (c *Client) AwaitTopics(ctx context.Context, topics ...string) error {
	for {
		last := c.topicsReady(ctx, topics)
		if last == nil {
			return nil
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return fmt.Errorf("await topics %v: %w (last: %w)", topics, ctx.Err(), last)
		}
	}
}

func (c *Client) topicsReady(ctx context.Context, topics []string) error {
	parts, err := c.Partitions(ctx, topics...)
	if err != nil {
		return err
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

// SetUpTopics creates the topics and awaits them, retrying with a growing
// pause (up to 30 s) until that succeeds or ctx ends; it reports success.
// Services call it before their relays and consumers start: writers do not
// create topics, so until the brokers answer, events wait in the outbox.
func (c *Client) SetUpTopics(ctx context.Context, log *slog.Logger, topics ...string) bool {
	pause := 250 * time.Millisecond
	for {
		err := c.EnsureTopics(ctx, topics...)
		if err == nil {
			actx, cancel := context.WithTimeout(ctx, adminTimeout)
			err = c.AwaitTopics(actx, topics...)
			cancel()
		}
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		log.Warn("kafka topics not set up yet; retrying", "topics", topics, "retryIn", pause, "err", err)
		if !sleep(ctx, pause) {
			return false
		}
		pause = min(2*pause, 30*time.Second)
	}
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

package kafkax_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
)

func TestAwaitTopics(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := []string{testenv.Name("await") + ".a", testenv.Name("await") + ".b"}
	if err := kafkax.EnsureTopics(ctx, env.KafkaBrokers, 3, topics...); err != nil {
		t.Fatal(err)
	}
	if err := kafkax.AwaitTopics(ctx, env.KafkaBrokers, topics...); err != nil {
		t.Fatal(err)
	}
}

func TestAwaitTopicsWithoutBroker(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := kafkax.AwaitTopics(ctx, []string{dead}, "x"); err == nil {
		t.Fatal("awaited a topic on a broker that does not exist")
	}
	if err := kafkax.AwaitTopics(ctx, nil, "x"); err == nil {
		t.Fatal("awaited a topic without brokers")
	}
}

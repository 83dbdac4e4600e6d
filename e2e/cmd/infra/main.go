// Command infra runs the embedded infrastructure (FerretDB, a Kafka-protocol
// broker and Redis) as a process of its own, so the end-to-end suite can
// kill it and bring it back on the same addresses and data directory, the
// way an operator restarts a database server. Once everything accepts
// connections it prints one JSON line with the addresses on stdout, then
// runs until SIGINT or SIGTERM.
//
//	infra --dir DATA [--mongo 127.0.0.1:PORT] [--kafka ...] [--redis ...]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/shopsupergraph/shop/platform/embedded"
)

// Addrs is the line printed on stdout once the stand-ins are up.
type Addrs struct {
	MongoURI     string   `json:"mongoURI"`
	KafkaBrokers []string `json:"kafkaBrokers"`
	RedisAddr    string   `json:"redisAddr"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	var o embedded.Options
	flag.StringVar(&o.Dir, "dir", "", "data directory (required; reuse it to keep data across restarts)")
	flag.StringVar(&o.MongoAddr, "mongo", "", "FerretDB listen address (default: a free port)")
	flag.StringVar(&o.KafkaAddr, "kafka", "", "Kafka listen address (default: a free port)")
	flag.StringVar(&o.RedisAddr, "redis", "", "Redis listen address (default: a free port)")
	flag.IntVar(&o.KafkaPartitions, "partitions", 3, "partitions of auto-created topics")
	flag.Parse()
	if o.Dir == "" {
		return fmt.Errorf("--dir is required")
	}
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := embedded.Start(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	line, err := json.Marshal(Addrs{MongoURI: st.MongoURI, KafkaBrokers: st.KafkaBrokers, RedisAddr: st.RedisAddr})
	if err != nil {
		return fmt.Errorf("encode addresses: %w", err)
	}
	if _, err := fmt.Println(string(line)); err != nil {
		return fmt.Errorf("print addresses: %w", err)
	}
	<-ctx.Done()
	return nil
}

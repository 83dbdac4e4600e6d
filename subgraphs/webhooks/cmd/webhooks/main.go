// Command webhooks runs the webhooks subgraph alone: GraphQL at /graphql, a
// playground at /, /health and /ready. Configuration comes from the
// environment and an optional .env file (see app.Config).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/logging"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/app"
)

func main() {
	if buildinfo.Requested(os.Args[1:]) {
		if err := buildinfo.Print(os.Stdout, "webhooks"); err != nil {
			fmt.Fprintln(os.Stderr, "webhooks:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.LoadConfig(config.FromOS(".env"))
	if err != nil {
		return err
	}
	log := logging.New(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	log.Info("starting", "config", cfg.String())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	runErr := a.Run(ctx)
	if err := a.Close(); err != nil {
		log.Warn("webhooks: close", "err", err)
	}
	return runErr
}

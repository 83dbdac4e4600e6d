// Command users runs the users subgraph alone: GraphQL at /graphql, a
// playground at /, /health and /ready. Configuration comes from the
// environment and an optional .env file (see app.Config).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/logging"
	"github.com/shopsupergraph/shop/subgraphs/users/app"
)

func main() {
	if buildinfo.Requested(os.Args[1:]) {
		if err := buildinfo.Print(os.Stdout, "users"); err != nil {
			fmt.Fprintln(os.Stderr, "users:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "users:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error { return runOn(ctx, nil) }

// runOn is run serving on ln, or on the configured address when ln is nil
// (tests hand in a listener bound to port 0, so no other process can take
// the port between choosing and binding it).
func runOn(ctx context.Context, ln net.Listener) error {
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
	defer a.Close()
	if ln != nil {
		return a.Serve(ctx, ln)
	}
	return a.Run(ctx)
}

// Command products runs the products subgraph.
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
	"github.com/shopsupergraph/shop/subgraphs/products/app"
)

func main() {
	if buildinfo.Requested(os.Args[1:]) {
		if err := buildinfo.Print(os.Stdout, "products"); err != nil {
			fmt.Fprintln(os.Stderr, "products:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "products:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	return a.Run(ctx)
}

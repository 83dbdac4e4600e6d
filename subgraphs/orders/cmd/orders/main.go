// Command orders runs the orders subgraph on its own.
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
	"github.com/shopsupergraph/shop/subgraphs/orders/app"
)

func main() {
	if buildinfo.Requested(os.Args[1:]) {
		if err := buildinfo.Print(os.Stdout, "orders"); err != nil {
			fmt.Fprintln(os.Stderr, "orders:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "orders:", err)
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
	log.Info("starting", "config", cfg.String(), "products", cfg.ProductsURL, "reserveBudget", cfg.ReserveBudget(), "recoveryGrace", cfg.RecoveryGrace)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	runErr := a.Run(ctx)
	if err := a.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

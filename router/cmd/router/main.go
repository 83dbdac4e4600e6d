// Command router serves an Apollo join-spec supergraph:
//
//	router --supergraph PATH --listen ADDR [--config router.yaml]
//	router --version
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/router/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "router:", err)
		os.Exit(1)
	}
}

func run() error {
	var supergraphPath, listen, configPath string
	flag.StringVar(&supergraphPath, "supergraph", "", "path of the join-spec supergraph (overrides config and ROUTER_SUPERGRAPH)")
	flag.StringVar(&listen, "listen", "", "listen address, e.g. 127.0.0.1:4000 (overrides config and ROUTER_LISTEN)")
	flag.StringVar(&configPath, "config", "", "optional router.yaml")
	version := flag.Bool("version", false, "print the version, commit and Go version, then exit")
	flag.Parse()
	if *version {
		return buildinfo.Print(os.Stdout, "router")
	}

	cfg, err := app.LoadConfig(configPath)
	if err != nil {
		return err
	}
	if supergraphPath != "" {
		cfg.Supergraph = supergraphPath
	}
	if listen != "" {
		cfg.Listen = listen
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r, err := app.New(cfg, app.WithLogger(logger))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return r.Run(ctx)
}

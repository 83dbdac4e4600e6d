// Command profrouter is cmd/router plus net/http/pprof on a second
// listener, for profiling the router under the benchmark's load:
//
//	profrouter --supergraph PATH --listen ADDR --pprof 127.0.0.1:6060
//	go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=15
//
// It is a separate binary so that the production router never serves
// profiles.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "profrouter:", err)
		os.Exit(1)
	}
}

func run() error {
	var supergraphPath, listen, configPath, pprofAddr string
	flag.StringVar(&supergraphPath, "supergraph", "", "path of the join-spec supergraph")
	flag.StringVar(&listen, "listen", "", "listen address of the router")
	flag.StringVar(&configPath, "config", "", "optional router.yaml")
	flag.StringVar(&pprofAddr, "pprof", "127.0.0.1:6060", "listen address of net/http/pprof")
	flag.Parse()
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
	r, err := app.New(cfg, app.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: pprofAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("pprof listener", "err", err)
		}
	}()
	defer func() { _ = srv.Close() }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return r.Run(ctx)
}

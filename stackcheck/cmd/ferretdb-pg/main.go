// Command ferretdb-pg serves the MongoDB wire protocol on top of a real
// PostgreSQL database through FerretDB's embeddable package. `make
// test-real` runs it as the MongoDB-compatible server of the real-server
// suite (scripts/realstack.sh); building it from our workspace keeps the
// FerretDB version the one pinned in go.work.
//
//	ferretdb-pg --listen 127.0.0.1:PORT --postgresql-url postgres://user@host:port/db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/shopsupergraph/shop/buildinfo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-pg:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ferretdb-pg", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:27017", "TCP address of the MongoDB wire protocol listener")
	pgURL := fs.String("postgresql-url", "", "PostgreSQL connection URL, e.g. postgres://postgres@127.0.0.1:5432/ferretdb")
	level := fs.String("log-level", "warn", "debug, info, warn or error")
	version := fs.Bool("version", false, "print the version, commit and Go version, then exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version {
		return buildinfo.Print(os.Stdout, "ferretdb-pg")
	}
	if *pgURL == "" {
		return errors.New("--postgresql-url is required")
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
		Logger:        log,
	})
	if err != nil {
		return fmt.Errorf("start ferretdb: %w", err)
	}
	log.Info("serving", "listen", *listen)
	return f.Run(ctx)
}

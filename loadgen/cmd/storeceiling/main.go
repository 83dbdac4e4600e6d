// Command storeceiling measures the store's own ceiling for the order path:
// it replays one placeOrder's database calls (package storemix) from
// concurrent workers, with and without group commit, against a fresh
// embedded store (FerretDB on SQLite, as `make run` uses) or the MongoDB
// server at --mongo (e.g. `make test-real`'s FerretDB on PostgreSQL), and
// prints orders per second and latency. loadgen's placeOrder rate divided by
// this figure is the share of the store's ceiling the services reach.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/loadgen/storemix"
	"github.com/shopsupergraph/shop/platform/embedded"
	"github.com/shopsupergraph/shop/platform/mongox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storeceiling:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("storeceiling", flag.ContinueOnError)
	uri := fs.String("mongo", "", "MongoDB URI to measure; empty starts the embedded store in a temporary folder")
	var o storemix.Options
	fs.IntVar(&o.Workers, "concurrency", 16, "concurrent orders")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time per variant")
	fs.IntVar(&o.Lines, "lines", 2, "order lines per order (loadgen's orders average 2)")
	fs.IntVar(&o.Products, "products", 100, "products the lines pick from")
	fs.DurationVar(&o.Window, "window", 0, "group commit window (0: write at once, batching what queued meanwhile)")
	fs.BoolVar(&o.NoLane, "no-lane", false, "let write calls reach the store concurrently instead of one at a time per database")
	version := fs.Bool("version", false, "print the version, commit and Go version, then exit")
	if err := fs.Parse(args); err != nil {
		return err //nolint:wrapcheck // flag's own message
	}
	if *version {
		return buildinfo.Print(out, "storeceiling")
	}
	target := *uri
	if target == "" {
		dir, err := os.MkdirTemp("", "storeceiling-")
		if err != nil {
			return fmt.Errorf("temp dir: %w", err)
		}
		defer os.RemoveAll(dir) //nolint:errcheck // a temp dir
		st, err := embedded.Start(ctx, embedded.Options{Dir: dir})
		if err != nil {
			return err //nolint:wrapcheck // says what failed
		}
		defer st.Close()
		target = st.MongoURI
	}
	fmt.Fprintf(out, "storeceiling %s: %s, %d concurrent orders of %d lines, %s per variant\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), describe(*uri), o.Workers, o.Lines, o.Duration)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(out, "machine load average at the start (1, 5, 15 min): %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Fprintln(out, "\n| inserts | orders/s | p50 | p99 | calls per order |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---|")
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	for i, grouped := range []bool{true, false} {
		client, ordersDB, err := mongox.Connect(ctx, target, fmt.Sprintf("ceiling_orders_%s_%d", suffix, i))
		if err != nil {
			return err //nolint:wrapcheck // says what failed
		}
		productsDB := client.Database(fmt.Sprintf("ceiling_products_%s_%d", suffix, i))
		o.NoGroupCommit = !grouped
		res, err := storemix.Run(ctx, ordersDB, productsDB, o)
		_ = ordersDB.Drop(context.WithoutCancel(ctx))     //nolint:errcheck // scratch data
		_ = productsDB.Drop(context.WithoutCancel(ctx))   //nolint:errcheck // scratch data
		_ = client.Disconnect(context.WithoutCancel(ctx)) //nolint:errcheck // done
		if err != nil {
			return err //nolint:wrapcheck // says what failed
		}
		mode := "group commit"
		if !grouped {
			mode = "one call each"
		}
		fmt.Fprintf(out, "| %s | %.0f | %s | %s | %d inserts, %d finds, %d updates, %d deletes |\n", mode, res.OrdersPerSecond(),
			ms(res.Latency.Quantile(0.5)), ms(res.Latency.Quantile(0.99)),
			res.Calls["insert"], res.Calls["find"], res.Calls["update"], res.Calls["delete"])
	}
	return nil
}

func describe(uri string) string {
	if uri == "" {
		return "embedded FerretDB on SQLite"
	}
	return "MongoDB server at --mongo"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

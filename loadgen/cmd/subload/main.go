// Command subload measures subscription fan-out through the router: it
// opens --subscribers inventoryUpdated subscriptions (GraphQL over SSE, or
// graphql-transport-ws with --ws-per-conn) on one
// product, restocks it --events times with the admin key, and reports
// delivery latency (restock sent to event read, per subscriber) and the
// resident memory each subscriber costs the serving process.
//
// Without --router it starts the whole shop in this process on free ports
// (per-client subscription caps lifted, since every stream comes from
// loopback); the memory figure then includes the subscribers' own side.
// Against a running stack pass --router, --admin-key and --rss-pid (the
// stack's process id) so that memory is the server's alone.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/devstack/stack"
	"github.com/shopsupergraph/shop/loadgen/gql"
	"github.com/shopsupergraph/shop/loadgen/shop"
	"github.com/shopsupergraph/shop/loadgen/subload"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "subload:", err)
		os.Exit(1)
	}
}

type config struct {
	version    bool
	router     string
	adminKey   string
	rssPID     int
	supergraph string
	format     string
	opts       subload.Options
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("subload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.router, "router", "", "GraphQL URL of a running router; empty starts the shop in this process")
	fs.StringVar(&c.adminKey, "admin-key", os.Getenv("ADMIN_API_KEY"), "admin key of the --router stack (default $ADMIN_API_KEY)")
	fs.IntVar(&c.rssPID, "rss-pid", 0, "process whose resident memory is measured (default: this process)")
	fs.StringVar(&c.supergraph, "supergraph", "supergraph.graphql", "supergraph for the in-process stack")
	fs.StringVar(&c.format, "format", "text", "report format: text or markdown")
	fs.IntVar(&c.opts.Subscribers, "subscribers", 1000, "subscribers")
	fs.IntVar(&c.opts.Events, "events", 20, "measured restocks")
	fs.DurationVar(&c.opts.Interval, "interval", 250*time.Millisecond, "least time between restocks")
	fs.DurationVar(&c.opts.Wait, "wait", 30*time.Second, "how long one event may take to reach every subscriber")
	fs.IntVar(&c.opts.OpenParallel, "open-parallel", 50, "streams opened at once")
	fs.IntVar(&c.opts.PerConnection, "ws-per-conn", 0, "carry the subscribers over graphql-transport-ws, this many per WebSocket connection (0: one SSE stream each)")
	fs.BoolVar(&c.version, "version", false, "print the version, commit and Go version, then exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.version {
		return c, nil
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if c.opts.Subscribers < 1 || c.opts.Events < 1 || c.opts.OpenParallel < 1 {
		errs = append(errs, errors.New("subscribers, events and open-parallel must be at least 1"))
	}
	if c.opts.PerConnection < 0 {
		errs = append(errs, errors.New("ws-per-conn must not be negative"))
	}
	if c.opts.Interval < 0 || c.opts.Wait <= 0 {
		errs = append(errs, errors.New("interval must not be negative and wait must be positive"))
	}
	if c.router != "" && c.adminKey == "" {
		errs = append(errs, errors.New("--router needs --admin-key (or $ADMIN_API_KEY) to restock"))
	}
	if c.format != "text" && c.format != "markdown" {
		errs = append(errs, fmt.Errorf("format must be text or markdown, got %q", c.format))
	}
	return c, errors.Join(errs...)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if c.version {
		return buildinfo.Print(stdout, "subload")
	}
	router, adminKey, target := c.router, c.adminKey, c.router
	if router == "" {
		st, stop, err := startStack(ctx, c.supergraph)
		if err != nil {
			return err
		}
		defer stop()
		router, adminKey, target = st.RouterURL, st.AdminKey, "in-process devstack (memory includes the subscribers' side)"
	}
	client := gql.NewClient(router, 4, 30*time.Second)
	defer client.HTTP.CloseIdleConnections()
	tr := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the default is always *http.Transport
	tr.MaxIdleConnsPerHost = c.opts.Subscribers
	streams := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()

	fmt.Fprintln(stderr, "subload: creating the product the subscribers watch")
	fx, err := shop.Seed(ctx, client, adminKey, shop.SeedOptions{Products: 1, Stock: 1})
	if err != nil {
		return err
	}
	c.opts.RSS = subload.ProcRSS(c.rssPID)
	fmt.Fprintf(stderr, "subload: %d subscribers, %d events\n", c.opts.Subscribers, c.opts.Events)
	r := &subload.Runner{URL: router, AdminKey: adminKey, Client: client, Streams: streams}
	res, err := r.Run(ctx, fx.Products[0].ID, fx.Products[0].Stock, c.opts)
	if err != nil {
		return err
	}
	write(stdout, c, target, res)
	if res.Ready < res.Subscribers || res.Missed > 0 {
		return fmt.Errorf("%d of %d subscribers live, %d deliveries missed", res.Ready, res.Subscribers, res.Missed)
	}
	return nil
}

func write(w io.Writer, c config, target string, r *subload.Result) {
	fmt.Fprintf(w, "subload %s: %s, %s, GOMAXPROCS %d (%d CPUs)\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), target, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "machine load average at the end (1, 5, 15 min): %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	transport := "SSE subscribers (one stream each)"
	if c.opts.PerConnection > 0 {
		transport = fmt.Sprintf("graphql-transport-ws subscribers (%d per connection)", c.opts.PerConnection)
	}
	fmt.Fprintf(w, "opened %d %s in %s; %d live; %d restocks, %s apart at least\n", r.Subscribers, transport, r.Open.Round(time.Millisecond), r.Ready, r.Events, c.opts.Interval)
	h := r.Latency
	mb := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	rows := [][2]string{
		{"subscribers", fmt.Sprint(r.Subscribers)},
		{"deliveries (measured)", fmt.Sprintf("%d of %d", r.Delivered, r.Ready*r.Events)},
		{"events read again (repeats)", fmt.Sprint(r.Repeats)},
		{"latency p50", ms(h.Quantile(0.50))},
		{"latency p95", ms(h.Quantile(0.95))},
		{"latency p99", ms(h.Quantile(0.99))},
		{"latency max", ms(h.Max())},
		{"RSS before / after subscribing", mb(r.RSSBefore) + " / " + mb(r.RSSAfter)},
		{"RSS per subscriber", fmt.Sprintf("%.1f KiB", float64(r.PerSubscriber())/1024)},
	}
	if len(r.Failures) > 0 {
		var parts []string
		for k, v := range r.Failures {
			parts = append(parts, fmt.Sprintf("%s: %d", k, v))
		}
		rows = append(rows, [2]string{"failures", strings.Join(parts, ", ")})
	}
	if c.format == "markdown" {
		fmt.Fprintln(w, "\n| measure | value |\n|---|---:|")
		for _, row := range rows {
			fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
		}
		return
	}
	for _, row := range rows {
		fmt.Fprintf(w, "%-32s %s\n", row[0], row[1])
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// startStack starts the shop in this process with the per-client
// subscription caps lifted (every subscriber comes from loopback).
func startStack(ctx context.Context, supergraph string) (*stack.Stack, func(), error) {
	dir, err := os.MkdirTemp("", "subload-")
	if err != nil {
		return nil, nil, fmt.Errorf("start stack: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) } //nolint:errcheck // a temp dir
	cfg := filepath.Join(dir, "router.yaml")
	yaml := "subscriptions:\n  max_connections_per_client: 0\n  max_subscriptions_per_client: 0\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("start stack: %w", err)
	}
	sg, err := filepath.Abs(supergraph)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("start stack: %w", err)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("start stack: %w", err)
	}
	st, err := stack.Start(ctx, stack.Options{
		DataDir: filepath.Join(dir, "data"), RouterAddr: "127.0.0.1:0", UsersAddr: "127.0.0.1:0",
		ProductsAddr: "127.0.0.1:0", OrdersAddr: "127.0.0.1:0", Supergraph: sg, RouterConfig: cfg,
		Env: map[string]string{"API_SECRET": hex.EncodeToString(raw[:]), "LOG_LEVEL": "error"},
	})
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("start stack: %w", err)
	}
	return st, func() {
		_ = st.Stop() //nolint:errcheck // the run's results are what matters
		cleanup()
	}, nil
}

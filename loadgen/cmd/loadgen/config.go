package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/loadgen/shop"
)

// config is the command line.
type config struct {
	// Version asks for the version only (--version).
	Version    bool
	Router     string
	AdminKey   string
	Supergraph string
	NoCache    bool
	Scenarios  []string
	Duration   time.Duration
	Warmup     time.Duration
	Workers    int
	Users      int
	Products   int
	Stock      int
	MaxLines   int
	MaxUnits   int
	Timeout    time.Duration
	Settle     time.Duration
	CPUProfile string
	PprofAddr  string
	Format     string
	Seed       uint64
	History    int
	Replicas   int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Router, "router", "", "GraphQL URL of a running router; empty starts the shop in this process")
	fs.StringVar(&c.AdminKey, "admin-key", os.Getenv("ADMIN_API_KEY"), "admin key of the --router stack (default $ADMIN_API_KEY)")
	fs.StringVar(&c.Supergraph, "supergraph", "", "supergraph for the in-process stack (default: supergraph.graphql in this or a parent directory)")
	fs.BoolVar(&c.NoCache, "no-cache", false, "run the in-process products subgraph without its Redis cache")
	scenarios := fs.String("scenarios", "products,placeOrder,mixed", "comma-separated scenarios: products, placeOrder, mixed, history")
	fs.DurationVar(&c.Duration, "duration", 20*time.Second, "measured time per scenario")
	fs.DurationVar(&c.Warmup, "warmup", 2*time.Second, "unmeasured time before each scenario")
	fs.IntVar(&c.Workers, "concurrency", 16, "closed-loop workers")
	fs.IntVar(&c.Users, "users", 200, "users to seed")
	fs.IntVar(&c.Products, "products", 100, "products to seed")
	fs.IntVar(&c.Stock, "stock", 1000, "initial quantity of every seeded product")
	fs.IntVar(&c.MaxLines, "max-lines", 3, "most distinct products in one order")
	fs.IntVar(&c.MaxUnits, "max-units", 3, "most units of one product in one order")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "client timeout of one request")
	fs.DurationVar(&c.Settle, "settle", 60*time.Second, "how long after the load stops the stock audit waits for owed releases, pending orders and caches to settle before the books must be exact")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of each measured scenario to this path with the scenario appended (cpu.pprof -> cpu-products.pprof)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", "", "serve net/http/pprof on this address during the run (e.g. 127.0.0.1:6060), to see where requests wait")
	fs.StringVar(&c.Format, "format", "text", "report format: text or markdown")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the workers' random choices")
	fs.IntVar(&c.History, "history", 0, "orders to place before the measured scenarios (unmeasured), so cost with history shows; raise --stock to cover them")
	fs.IntVar(&c.Replicas, "products-replicas", 1, "products processes sharing one database in the in-process stack (orders reserves through all of them)")
	fs.BoolVar(&c.Version, "version", false, "print the version, commit and Go version, then exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Version {
		return c, nil
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var errs []error
	for _, s := range strings.Split(*scenarios, ",") {
		s = strings.TrimSpace(s)
		switch s {
		case shop.ScenarioProducts, shop.ScenarioOrder, shop.ScenarioMixed, shop.ScenarioHistory:
			c.Scenarios = append(c.Scenarios, s)
		case "":
		default:
			errs = append(errs, fmt.Errorf("unknown scenario %q", s))
		}
	}
	if len(c.Scenarios) == 0 {
		errs = append(errs, errors.New("no scenario given"))
	}
	if c.Duration <= 0 || c.Warmup < 0 {
		errs = append(errs, errors.New("duration must be positive and warmup not negative"))
	}
	if c.Workers < 1 || c.Users < 1 || c.Products < 1 || c.Stock < 1 || c.MaxLines < 1 || c.MaxUnits < 1 {
		errs = append(errs, errors.New("concurrency, users, products, stock, max-lines and max-units must be at least 1"))
	}
	if c.History < 0 || c.Replicas < 1 {
		errs = append(errs, errors.New("history must not be negative and products-replicas at least 1"))
	}
	if c.Router != "" && c.Replicas > 1 {
		errs = append(errs, errors.New("--products-replicas applies to the in-process stack only"))
	}
	if c.Format != "text" && c.Format != "markdown" {
		errs = append(errs, fmt.Errorf("format must be text or markdown, got %q", c.Format))
	}
	if c.Router != "" && c.AdminKey == "" {
		errs = append(errs, errors.New("--router needs --admin-key (or $ADMIN_API_KEY) to seed products and audit stock"))
	}
	if c.Router != "" && c.NoCache {
		errs = append(errs, errors.New("--no-cache applies to the in-process stack only; start the remote products without REDIS_ADDR instead"))
	}
	if c.Router == "" && c.Supergraph == "" {
		p, err := findUp("supergraph.graphql")
		if err != nil {
			errs = append(errs, err)
		}
		c.Supergraph = p
	}
	return c, errors.Join(errs...)
}

// findUp looks for name in the working directory and its parents, so the
// command works from the repository root and from loadgen/.
func findUp(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find %s: %w", name, err)
	}
	for {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find %s: not in the working directory or a parent; pass --supergraph", name)
		}
		dir = parent
	}
}

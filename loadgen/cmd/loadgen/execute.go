package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/devstack/stack"
	"github.com/shopsupergraph/shop/loadgen/gql"
	"github.com/shopsupergraph/shop/loadgen/load"
	"github.com/shopsupergraph/shop/loadgen/shop"
)

// execute starts the stack when asked to, seeds it, and runs each
// scenario, auditing stock after every one that places orders.
func execute(ctx context.Context, c config, logw io.Writer) (*report, error) {
	rep := &report{cfg: c, started: time.Now()}
	if c.PprofAddr != "" {
		stop, err := servePprof(c.PprofAddr)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	router, adminKey := c.Router, c.AdminKey
	if router == "" {
		st, dir, err := startStack(ctx, c)
		if err != nil {
			return nil, err
		}
		defer func() {
			_ = st.Stop()         //nolint:errcheck // the run's results are what matters
			_ = os.RemoveAll(dir) //nolint:errcheck // a temp dir
		}()
		router, adminKey = st.RouterURL, st.AdminKey
		rep.target = "in-process devstack"
	} else {
		rep.target = router
	}
	client := gql.NewClient(router, c.Workers, c.Timeout)
	defer client.HTTP.CloseIdleConnections()

	fmt.Fprintf(logw, "loadgen: seeding %d users and %d products (stock %d each)\n", c.Users, c.Products, c.Stock)
	fx, err := shop.Seed(ctx, client, adminKey, shop.SeedOptions{Users: c.Users, Products: c.Products, Stock: c.Stock})
	if err != nil {
		return nil, err
	}
	s := &shop.Shop{Client: client, Fixture: fx, MaxLines: c.MaxLines, MaxUnits: c.MaxUnits}
	if c.History > 0 {
		fmt.Fprintf(logw, "loadgen: placing %d orders of history (unmeasured)\n", c.History)
		took, failed := load.RunCount(ctx, c.Workers, c.History, c.Seed^0x5bd1e995, s.PlaceOrder)
		rep.history = fmt.Sprintf("%d orders of history placed in %s (%.0f orders/s, %d failed)", c.History, took.Round(time.Millisecond), float64(c.History)/took.Seconds(), failed)
		fmt.Fprintln(logw, "loadgen:", rep.history)
	}

	for i, name := range c.Scenarios {
		op, err := s.Scenario(name)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(logw, "loadgen: %s for %s (+%s warmup), %d workers\n", name, c.Duration, c.Warmup, c.Workers)
		stop, err := startProfile(c.CPUProfile, name)
		if err != nil {
			return nil, err
		}
		res := load.Run(ctx, load.Options{Workers: c.Workers, Duration: c.Duration, Warmup: c.Warmup, Seed: c.Seed + uint64(i)}, op)
		stopped := time.Now()
		if err := stop(); err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		run := scenarioRun{name: name, res: res}
		if shop.Orders(name) {
			// A failed audit is reported with the measurements, not
			// instead of them.
			a, err := s.AuditStock(ctx, stopped, c.Settle)
			run.audit, run.auditErr = a, err
			if err != nil {
				fmt.Fprintln(logw, "loadgen: audit:", err)
			} else {
				fmt.Fprintln(logw, "loadgen:", a)
			}
		}
		rep.runs = append(rep.runs, run)
	}
	return rep, nil
}

func startStack(ctx context.Context, c config) (*stack.Stack, string, error) {
	dir, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return nil, "", fmt.Errorf("start stack: %w", err)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, "", fmt.Errorf("start stack: %w", err)
	}
	st, err := stack.Start(ctx, stack.Options{
		DataDir: dir, RouterAddr: "127.0.0.1:0", UsersAddr: "127.0.0.1:0",
		ProductsAddr: "127.0.0.1:0", OrdersAddr: "127.0.0.1:0", Supergraph: c.Supergraph,
		NoProductsCache: c.NoCache, ProductsReplicas: c.Replicas,
		Env: map[string]string{
			"API_SECRET": hex.EncodeToString(raw[:]),
			// Seeding registers hundreds of users; the production cost
			// would make seeding, not the run, the slow part.
			"BCRYPT_COST": "4",
			"LOG_LEVEL":   "error",
			// Every simulated customer registers from loopback.
			"REGISTER_MAX_PER_ADDR": "0",
		},
	})
	if err != nil {
		_ = os.RemoveAll(dir) //nolint:errcheck // a temp dir
		return nil, "", fmt.Errorf("start stack: %w", err)
	}
	return st, dir, nil
}

// servePprof serves the profiling endpoints on their own mux, so goroutine
// and block profiles of the whole in-process shop can be taken mid-run.
func servePprof(addr string) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", httppprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	// Serve ends with ErrServerClosed when stopped; nothing to report.
	go srv.Serve(ln) //nolint:errcheck // see above

	return func() { _ = srv.Close() }, nil //nolint:errcheck // shutting down
}

// startProfile profiles the CPU of the whole process (load generator,
// router, subgraphs and embedded stores alike) into one file per
// scenario: cpu.pprof becomes cpu-products.pprof, and so on. The audit
// after a scenario is left out. An empty path profiles nothing.
func startProfile(path, scenario string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	ext := filepath.Ext(path)
	f, err := os.Create(strings.TrimSuffix(path, ext) + "-" + scenario + ext)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close() //nolint:errcheck // already failing
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		return nil
	}, nil
}

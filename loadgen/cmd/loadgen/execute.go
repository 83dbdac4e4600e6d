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
	"runtime/pprof"
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

	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close() //nolint:errcheck // pprof wrote it already
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	for i, name := range c.Scenarios {
		op, err := s.Scenario(name)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(logw, "loadgen: %s for %s (+%s warmup), %d workers\n", name, c.Duration, c.Warmup, c.Workers)
		res := load.Run(ctx, load.Options{Workers: c.Workers, Duration: c.Duration, Warmup: c.Warmup, Seed: c.Seed + uint64(i)}, op)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		run := scenarioRun{name: name, res: res}
		if shop.Orders(name) {
			a, err := s.AuditStock(ctx, c.Settle)
			if err != nil {
				return nil, err
			}
			run.audit = a
			fmt.Fprintln(logw, "loadgen:", a)
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
		NoProductsCache: c.NoCache,
		Env: map[string]string{
			"API_SECRET": hex.EncodeToString(raw[:]),
			// Seeding registers hundreds of users; the production cost
			// would make seeding, not the run, the slow part.
			"BCRYPT_COST": "4",
			"LOG_LEVEL":   "error",
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

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestSoak runs a bounded mixed workload, 90% browsing (product lists and
// pages, search, `me { orders }`, carts) and 10% ordering (orders, cancels,
// carts checked out or left to expire, restocks), against the whole
// system as processes (two routers, two products and two orders replicas)
// for SOAK_DURATION. It asserts zero 5xx and zero server-side GraphQL
// errors, the inventory invariant at the end, and no steady memory growth
// in any process (RSS sampled from /proc; the last third's average against
// the middle third's).
//
// It runs only from `make soak` (SHOP_SOAK=1), never in `make e2e`.
// Knobs: SOAK_DURATION (3m), SOAK_WORKERS (8), SOAK_RPS (60, the whole
// workload's request rate cap), SOAK_SAMPLE_EVERY (3s), SOAK_RSS_TOLERANCE
// (0.10 of the middle third's average) and SOAK_RSS_SLACK_MIB (5).
func TestSoak(t *testing.T) {
	if os.Getenv("SHOP_SOAK") == "" {
		t.Skip("the soak runs from `make soak` (SHOP_SOAK=1)")
	}
	cfg := soakConfig{
		duration: envDuration(t, "SOAK_DURATION", 3*time.Minute),
		workers:  envInt(t, "SOAK_WORKERS", 8),
		rps:      envInt(t, "SOAK_RPS", 60),
		every:    envDuration(t, "SOAK_SAMPLE_EVERY", 3*time.Second),
	}
	tolerance := envFloat(t, "SOAK_RSS_TOLERANCE", 0.10)
	slack := envFloat(t, "SOAK_RSS_SLACK_MIB", 5)
	env := recoveryEnv()
	env["HOLD_TTL"], env["HOLD_SWEEP_INTERVAL"] = "5s", "500ms"
	sys := harness.Start(t, bins, harness.Options{Products: 2, Orders: 2, Routers: 2, Env: env})
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration+5*time.Minute)
	defer cancel()
	shops := []*shop{newShop(t, sys, 0), newShop(t, sys, 1)}
	s := shops[0]

	// 27 plentiful products and 3 scarce ones (INSUFFICIENT_STOCK happens).
	supplied := &stockBook{units: map[string]int{}}
	var ids []string
	for i := range 30 {
		stock := 20000
		if i%10 == 9 {
			stock = 30
		}
		p := s.createProduct(ctx, fmt.Sprintf("soak item %02d", i), 100+37*i, stock)
		supplied.add(p.ID, stock)
		ids = append(ids, p.ID)
	}
	shoppers := registerMany(ctx, t, shops, cfg.workers*4)

	pids, order := map[string]int{}, []string{}
	for _, v := range sys.Services() {
		pids[v.Name], order = v.Proc.Pid(), append(order, v.Name)
	}
	pids["infra-db"], pids["infra-bus"] = sys.DB.Proc.Pid(), sys.Bus.Proc.Pid()
	order = append(order, "infra-db", "infra-bus")

	load1, _ := loadAverage()
	t.Logf("soak: %s, %d workers, at most %d requests/s, RSS every %s; load average at start %s",
		cfg.duration, cfg.workers, cfg.rps, cfg.every, load1)
	runCtx, stop := context.WithTimeout(ctx, cfg.duration)
	defer stop()
	rss := sampleRSS(runCtx, pids, order, cfg.every)
	st := runSoak(runCtx, shops, shoppers, ids, supplied, cfg)
	load1, _ = loadAverage()
	t.Logf("soak done; load average at end %s\n%s", load1, st)

	if st.status5xx > 0 || st.transport > 0 || st.serverErrors > 0 {
		t.Errorf("want zero 5xx, transport errors and server-side GraphQL errors; got 5xx %d, transport %d, server errors %d; samples %q",
			st.status5xx, st.transport, st.serverErrors, st.samples)
	}
	for code, n := range st.codes {
		if code != "INSUFFICIENT_STOCK" {
			t.Errorf("unexpected GraphQL error code %q (%d times): %s", code, n, st.samples[code])
		}
	}
	if st.byOp["placeOrder ok"] == 0 || st.byOp["checkout ok"] == 0 || st.byOp["cancelOrder ok"] == 0 {
		t.Errorf("the workload did not exercise ordering: %v", st.byOp)
	}

	// The books balance once every order is settled; carts still holding
	// count as live holds.
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, _, err := s.cartInvariantErr(ctx, supplied.snapshot(), shoppers)
		if err == nil {
			t.Logf("invariant holds for %d products (initial + restocks == available + held + sold)", len(ids))
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("invariant after the soak: %v", err)
			break
		}
		time.Sleep(time.Second)
	}

	var report []string
	for _, tr := range rss.trends(cfg.every, tolerance, slack) {
		report = append(report, tr.String())
		if tr.Samples >= 6 && !tr.Steady {
			t.Errorf("%s: memory grew steadily: middle-third average %.1f MiB, last-third %.1f MiB (+%.1f, allowed %.1f)",
				tr.Name, tr.Middle, tr.Last, tr.Growth, tr.Allowed)
		}
	}
	if len(rss.errs) > 0 {
		t.Errorf("RSS sampling failed: %v", rss.errs)
	}
	t.Logf("RSS per process (MiB):\n%s", joinLines(report))
	sys.CheckAlive(t)
}

type soakConfig struct {
	duration, every time.Duration
	workers, rps    int
}

// stockBook is initial stock plus restocks per product, shared by workers.
type stockBook struct {
	mu    sync.Mutex
	units map[string]int
}

func (b *stockBook) add(id string, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.units[id] += n
}

func (b *stockBook) snapshot() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.units))
	for k, v := range b.units {
		out[k] = v
	}
	return out
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration like 3m", name, v)
	}
	return d
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

func envFloat(t *testing.T, name string, def float64) float64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		t.Fatalf("%s=%q: want a number, 0 or more", name, v)
	}
	return f
}

func joinLines(lines []string) string {
	sort.Strings(lines)
	out := ""
	for _, l := range lines {
		out += "  " + l + "\n"
	}
	return out
}

// pick returns a random element.
func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

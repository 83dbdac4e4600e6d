// Package load runs closed-loop workers: each worker issues one operation,
// waits for its outcome, and issues the next, for a fixed time. Throughput
// is then what the system sustains at that concurrency, and latency is
// measured without a coordinated-omission-free schedule (a closed loop
// cannot have one), which the report states.
package load

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopsupergraph/shop/loadgen/hist"
)

// Op performs one operation and names it (so a mixed run reports browse
// and order separately) and its outcome: "" for success, else a code such
// as INSUFFICIENT_STOCK. It must be safe for concurrent use; rng is the
// calling worker's own.
type Op func(ctx context.Context, rng *rand.Rand) (name, code string)

// Options bound a run.
type Options struct {
	Workers  int
	Duration time.Duration
	// Warmup runs the workers this long first, unrecorded, so connection
	// setup and cold caches do not count.
	Warmup time.Duration
	// Seed makes the workers' random choices repeatable.
	Seed uint64
}

// Stats are one operation's results.
type Stats struct {
	Latency *hist.Histogram
	// Codes counts outcomes by code; "" counts successes.
	Codes map[string]int
}

// Failures returns the number of outcomes with a code.
func (s *Stats) Failures() int {
	n := 0
	for c, k := range s.Codes {
		if c != "" {
			n += k
		}
	}
	return n
}

// CodeList returns the failure codes, most frequent first.
func (s *Stats) CodeList() []string {
	var out []string
	for c := range s.Codes {
		if c != "" {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if s.Codes[out[i]] != s.Codes[out[j]] {
			return s.Codes[out[i]] > s.Codes[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// Result is a run's outcome per operation name.
type Result struct {
	Elapsed time.Duration
	Ops     map[string]*Stats
}

// Names returns the operation names, sorted.
func (r *Result) Names() []string {
	out := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// RPS returns the operation's completed operations per second.
func (r *Result) RPS(name string) float64 {
	s := r.Ops[name]
	if s == nil || r.Elapsed <= 0 {
		return 0
	}
	return float64(s.Latency.Count()) / r.Elapsed.Seconds()
}

// Run drives op with o.Workers workers for o.Warmup plus o.Duration. An
// operation in flight when time is up completes and is counted (its
// context is not cancelled), so the end of a run causes no errors; ctx
// ending stops the run early.
func Run(ctx context.Context, o Options, op Op) *Result {
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.Warmup > 0 {
		runFor(ctx, o.Workers, o.Warmup, o.Seed^0x9e3779b97f4a7c15, op)
	}
	start := time.Now()
	per := runFor(ctx, o.Workers, o.Duration, o.Seed, op)
	res := &Result{Elapsed: time.Since(start), Ops: map[string]*Stats{}}
	for _, m := range per {
		for name, s := range m {
			t := res.Ops[name]
			if t == nil {
				t = &Stats{Latency: hist.New(), Codes: map[string]int{}}
				res.Ops[name] = t
			}
			t.Latency.Merge(s.Latency)
			for c, n := range s.Codes {
				t.Codes[c] += n
			}
		}
	}
	return res
}

func runFor(ctx context.Context, workers int, d time.Duration, seed uint64, op Op) []map[string]*Stats {
	deadline := time.Now().Add(d)
	per := make([]map[string]*Stats, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			mine := map[string]*Stats{}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				name, code := op(context.WithoutCancel(ctx), rng)
				lat := time.Since(t0)
				s := mine[name]
				if s == nil {
					s = &Stats{Latency: hist.New(), Codes: map[string]int{}}
					mine[name] = s
				}
				s.Latency.Record(lat)
				s.Codes[code]++
			}
			per[w] = mine
		}()
	}
	wg.Wait()
	return per
}

// RunCount drives op with workers workers until n operations have
// completed (unrecorded: it pre-loads a system, e.g. with order history)
// and returns how long that took and how many failed.
func RunCount(ctx context.Context, workers, n int, seed uint64, op Op) (time.Duration, int) {
	if workers < 1 {
		workers = 1
	}
	start := time.Now()
	var left, failed atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil && left.Add(-1) >= 0 {
				if _, code := op(context.WithoutCancel(ctx), rng); code != "" {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), int(failed.Load())
}

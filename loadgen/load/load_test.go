package load

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsEveryOperation(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	op := func(_ context.Context, rng *rand.Rand) (string, string) {
		n := calls.Add(1)
		time.Sleep(time.Millisecond)
		if n%4 == 0 {
			return "write", "INSUFFICIENT_STOCK"
		}
		if rng.IntN(2) == 0 {
			return "read", ""
		}
		return "write", ""
	}
	res := Run(context.Background(), Options{Workers: 4, Duration: 200 * time.Millisecond, Warmup: 50 * time.Millisecond}, op)
	var recorded int64
	for _, name := range res.Names() {
		s := res.Ops[name]
		if int(s.Latency.Count()) != sumCodes(s.Codes) {
			t.Errorf("%s: histogram has %d samples, codes %d", name, s.Latency.Count(), sumCodes(s.Codes))
		}
		if s.Latency.Quantile(0.5) < time.Millisecond {
			t.Errorf("%s: p50 %v below the operation's sleep", name, s.Latency.Quantile(0.5))
		}
		recorded += int64(s.Latency.Count())
	}
	if recorded == 0 || recorded >= calls.Load() {
		t.Fatalf("recorded %d of %d calls; the warmup must run but not count", recorded, calls.Load())
	}
	if got := res.Ops["write"].Codes["INSUFFICIENT_STOCK"]; got == 0 || res.Ops["write"].Failures() != got {
		t.Fatalf("write failures = %v", res.Ops["write"].Codes)
	}
	if res.Elapsed < 200*time.Millisecond || res.RPS("read") <= 0 {
		t.Fatalf("elapsed %v, read rps %v", res.Elapsed, res.RPS("read"))
	}
}

func TestRunStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	Run(ctx, Options{Workers: 2, Duration: time.Minute}, func(context.Context, *rand.Rand) (string, string) {
		time.Sleep(time.Millisecond)
		return "x", ""
	})
	if time.Since(start) > 5*time.Second {
		t.Fatal("run ignored its context")
	}
}

func sumCodes(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestRunCountCompletesExactlyN: pre-loading places the number of
// operations asked for, whatever the number of workers, and counts failures.
func TestRunCountCompletesExactlyN(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 7, 32} {
		var done atomic.Int64
		_, failed := RunCount(context.Background(), workers, 1000, 1, func(context.Context, *rand.Rand) (string, string) {
			if done.Add(1)%10 == 0 {
				return "op", "FAIL"
			}
			return "op", ""
		})
		if done.Load() != 1000 || failed != 100 {
			t.Fatalf("%d workers: %d operations, %d failed; want 1000 and 100", workers, done.Load(), failed)
		}
	}
}

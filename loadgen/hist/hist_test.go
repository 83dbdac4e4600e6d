package hist

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

func TestIndexUpperRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []uint64{0, 1, 127, 128, 129, 1000, 1 << 20, 123456789, 1<<62 + 12345} {
		i := index(v)
		if i < 0 || i >= buckets {
			t.Fatalf("index(%d) = %d out of range", v, i)
		}
		if up := upper(i); up < v {
			t.Fatalf("upper(index(%d)) = %d, below the value", v, up)
		}
		if i > 0 && upper(i-1) >= v {
			t.Fatalf("value %d also fits the previous bucket (upper %d)", v, upper(i-1))
		}
	}
}

func TestQuantilesWithinPrecision(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		gen  func(r *rand.Rand) time.Duration
	}{
		{"uniform 0-10ms", func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(10 * time.Millisecond))) }},
		{"exponential mean 2ms", func(r *rand.Rand) time.Duration { return time.Duration(r.ExpFloat64() * float64(2*time.Millisecond)) }},
		{"tiny", func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(100)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, 2))
			h := New()
			vals := make([]time.Duration, 20000)
			for i := range vals {
				vals[i] = tc.gen(r)
				h.Record(vals[i])
			}
			sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
			for _, q := range []float64{0.5, 0.95, 0.99, 0.999, 1} {
				want := vals[int(q*float64(len(vals)-1))]
				got := h.Quantile(q)
				if got < want-want/50-1 || got > want+want/30+2 {
					t.Errorf("q%.3f = %v, want about %v", q, got, want)
				}
			}
			if h.Quantile(1) != vals[len(vals)-1] {
				t.Errorf("q1 = %v, want the max %v", h.Quantile(1), vals[len(vals)-1])
			}
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	a, b, all := New(), New(), New()
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Microsecond
		all.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(b)
	if a.Count() != all.Count() || a.Max() != all.Max() || a.Mean() != all.Mean() {
		t.Fatalf("merged count/max/mean = %d/%v/%v, want %d/%v/%v", a.Count(), a.Max(), a.Mean(), all.Count(), all.Max(), all.Mean())
	}
	for _, q := range []float64{0, 0.5, 0.99} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v merged %v, want %v", q, a.Quantile(q), all.Quantile(q))
		}
	}
	if New().Quantile(0.5) != 0 {
		t.Error("empty histogram quantile is not 0")
	}
}

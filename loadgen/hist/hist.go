// Package hist records latencies in a small log-linear histogram, in the
// spirit of HdrHistogram: constant memory, cheap recording and quantiles
// within about 1.6% of the true value however long the run is, so a load
// run can keep every sample's effect without keeping every sample.
package hist

import (
	"math/bits"
	"time"
)

// subBits sets the precision: each power of two is split into 2^subBits
// buckets, so a bucket is at most 1/64 of its values wide.
const (
	subBits  = 6
	subCount = 1 << subBits
	// linear is the range [0, linear) recorded exactly, one bucket per ns.
	linear = 2 * subCount
	// buckets covers every non-negative int64 of nanoseconds.
	buckets = linear + (64-subBits-1)*subCount
)

// Histogram counts durations. The zero value is not ready; use New. It is
// not safe for concurrent use: give each worker its own and Merge them.
type Histogram struct {
	counts   []uint64
	total    uint64
	sum      time.Duration
	min, max time.Duration
}

// New returns an empty histogram.
func New() *Histogram {
	return &Histogram{counts: make([]uint64, buckets)}
}

// index maps a value to its bucket: exact below linear, then subCount
// buckets per power of two.
func index(v uint64) int {
	if v < linear {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1)
	top := v >> uint(shift) // in [subCount, 2*subCount)
	return linear + (shift-1)*subCount + int(top-subCount)
}

// upper returns the largest value that falls in bucket i.
func upper(i int) uint64 {
	if i < linear {
		return uint64(i)
	}
	shift := (i-linear)/subCount + 1
	top := uint64((i-linear)%subCount + subCount)
	return (top+1)<<uint(shift) - 1
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[index(uint64(d))]++
	if h.total == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.total++
	h.sum += d
}

// Merge adds every count of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.total += o.total
	h.sum += o.sum
}

// Count returns how many durations were recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Max returns the largest recorded duration.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average recorded duration (0 when empty).
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return h.sum / time.Duration(h.total)
}

// Quantile returns the duration at or below which a fraction q of the
// recorded durations fall (the bucket's upper edge, capped at the maximum),
// so it errs high by at most one bucket width, never low.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	rank := uint64(q*float64(h.total) + 0.999999)
	if rank > h.total {
		rank = h.total
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(upper(i))
			if v > h.max {
				v = h.max
			}
			if v < h.min {
				v = h.min
			}
			return v
		}
	}
	return h.max
}

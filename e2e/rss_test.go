package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssSampler records each process's resident set size (VmRSS from
// /proc/<pid>/status) at a fixed interval.
type rssSampler struct {
	mu      sync.Mutex
	names   []string
	samples map[string][]float64 // MiB, in sampling order
	errs    map[string]string
}

// sampleRSS samples every named pid each interval until ctx ends.
func sampleRSS(ctx context.Context, pids map[string]int, order []string, every time.Duration) *rssSampler {
	s := &rssSampler{names: order, samples: map[string][]float64{}, errs: map[string]string{}}
	take := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, name := range order {
			mib, err := readRSS(pids[name])
			if err != nil {
				s.errs[name] = err.Error()
				continue
			}
			s.samples[name] = append(s.samples[name], mib)
		}
	}
	take()
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				take()
			}
		}
	}()
	return s
}

// readRSS returns a process's VmRSS in MiB.
func readRSS(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	defer f.Close() //nolint:errcheck // read only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				return 0, fmt.Errorf("read rss: %w", err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("read rss: no VmRSS for pid %d", pid)
}

// rssTrend is one process's memory over a run, in MiB.
type rssTrend struct {
	Name                     string
	Samples                  int
	First, Middle, Last, Max float64 // first sample, average of the middle and last thirds, maximum
	Growth                   float64 // Last - Middle
	Allowed                  float64 // the growth tolerated as noise
	SlopePerMin              float64 // least-squares slope over the last two thirds
	Steady                   bool    // Growth <= Allowed
}

// trends compares, per process, the last third's average RSS with the
// middle third's (the first third is warm-up: caches, pools, connection
// buffers fill). Growth beyond tolerance x middle + slack MiB is reported
// as steady growth: noise (GC cycles, a burst of allocation) moves
// averages of a minute by a few MiB, a leak moves them every third.
func (s *rssSampler) trends(every time.Duration, tolerance, slack float64) []rssTrend {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []rssTrend
	for _, name := range s.names {
		xs := s.samples[name]
		n := len(xs)
		if n < 6 {
			out = append(out, rssTrend{Name: name, Samples: n})
			continue
		}
		mid, last := xs[n/3:2*n/3], xs[2*n/3:]
		tr := rssTrend{Name: name, Samples: n, First: xs[0], Middle: mean(mid), Last: mean(last), Max: maxOf(xs)}
		tr.Growth = tr.Last - tr.Middle
		tr.Allowed = tolerance*tr.Middle + slack
		tr.Steady = tr.Growth <= tr.Allowed
		tr.SlopePerMin = slope(xs[n/3:]) * float64(time.Minute/every)
		out = append(out, tr)
	}
	return out
}

func (tr rssTrend) String() string {
	if tr.Samples < 6 {
		return fmt.Sprintf("%-11s %d samples: too few to judge", tr.Name, tr.Samples)
	}
	return fmt.Sprintf("%-11s samples %3d  first %7.1f  middle-third avg %7.1f  last-third avg %7.1f  max %7.1f  growth %+6.1f (allowed %.1f)  slope %+5.2f MiB/min",
		tr.Name, tr.Samples, tr.First, tr.Middle, tr.Last, tr.Max, tr.Growth, tr.Allowed, tr.SlopePerMin)
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// slope is the least-squares slope of xs per sample.
func slope(xs []float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxy, sxx float64
	for i, y := range xs {
		x := float64(i)
		sx, sy, sxy, sxx = sx+x, sy+y, sxy+x*y, sxx+x*x
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

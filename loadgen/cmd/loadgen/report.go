package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/loadgen/load"
	"github.com/shopsupergraph/shop/loadgen/shop"
)

type scenarioRun struct {
	name     string
	res      *load.Result
	audit    *shop.Audit
	auditErr error
}

// report is everything a run measured.
type report struct {
	cfg     config
	target  string
	started time.Time
	runs    []scenarioRun
	// history describes the pre-loaded order history, if any.
	history string
}

func (r *report) cache() string {
	switch {
	case r.cfg.Router != "":
		return "as deployed"
	case r.cfg.NoCache:
		return "off"
	}
	return "on"
}

func (r *report) write(w io.Writer, format string) {
	c := r.cfg
	fmt.Fprintf(w, "loadgen %s: %s, products cache %s, %s, GOMAXPROCS %d (%d CPUs)\n",
		r.started.UTC().Format("2006-01-02 15:04 MST"), r.target, r.cache(), runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(w, "settings: %d closed-loop workers, %s per scenario after %s warmup, %d users, %d products x %d units, orders of 1-%d products x 1-%d units\n",
		c.Workers, c.Duration, c.Warmup, c.Users, c.Products, c.Stock, c.MaxLines, c.MaxUnits)
	if c.Replicas > 1 {
		fmt.Fprintf(w, "products replicas: %d (orders reserves through all of them)\n", c.Replicas)
	}
	if r.history != "" {
		fmt.Fprintf(w, "history: %s\n", r.history)
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "machine load average at the end (1, 5, 15 min): %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	md := format == "markdown"
	if md {
		fmt.Fprintln(w, "\n| scenario | cache | operation | ops | ops/s | p50 | p95 | p99 | max | failures by code |")
		fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---:|---|")
	} else {
		fmt.Fprintf(w, "%-11s %-5s %-11s %8s %9s %9s %9s %9s %9s  %s\n", "scenario", "cache", "operation", "ops", "ops/s", "p50", "p95", "p99", "max", "failures by code")
	}
	for _, run := range r.runs {
		for _, name := range run.res.Names() {
			s := run.res.Ops[name]
			h := s.Latency
			row := []string{run.name, r.cache(), name, fmt.Sprint(h.Count()), fmt.Sprintf("%.0f", run.res.RPS(name)),
				ms(h.Quantile(0.50)), ms(h.Quantile(0.95)), ms(h.Quantile(0.99)), ms(h.Max()), codes(s)}
			if md {
				fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
			} else {
				fmt.Fprintf(w, "%-11s %-5s %-11s %8s %9s %9s %9s %9s %9s  %s\n", row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9])
			}
		}
	}
	// One audit line per scenario that ordered; a list in markdown.
	bullet, first := "", true
	if md {
		bullet = "- "
	}
	for _, run := range r.runs {
		if run.auditErr == nil && run.audit == nil {
			continue
		}
		if md && first {
			fmt.Fprintln(w)
		}
		first = false
		if run.auditErr != nil {
			fmt.Fprintf(w, "%s%s: stock audit could not finish: %v\n", bullet, run.name, run.auditErr)
		} else {
			fmt.Fprintf(w, "%s%s: %s\n", bullet, run.name, run.audit)
		}
	}
}

// failedAudits names the scenarios whose stock audit failed or could not
// finish.
func (r *report) failedAudits() []string {
	var out []string
	for _, run := range r.runs {
		if run.auditErr != nil || run.audit != nil && !run.audit.OK() {
			out = append(out, run.name)
		}
	}
	return out
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func codes(s *load.Stats) string {
	list := s.CodeList()
	if len(list) == 0 {
		return "none"
	}
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = fmt.Sprintf("%s %d", c, s.Codes[c])
	}
	return strings.Join(parts, ", ")
}

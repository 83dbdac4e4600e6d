package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/loadgen/load"
	"github.com/shopsupergraph/shop/loadgen/shop"
)

// TestSmokeRun runs every scenario briefly against an in-process stack and
// checks the report: each scenario measured something, browsing never
// failed, orders were confirmed, everything settled and the books were
// exact.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole shop")
	}
	var out, log bytes.Buffer
	args := []string{"--duration", "600ms", "--warmup", "0s", "--users", "5", "--products", "5",
		"--concurrency", "4", "--settle", "30s", "--format", "markdown"}
	if err := run(context.Background(), args, &out, &log); err != nil {
		t.Fatalf("run: %v\nlog:\n%s\nreport:\n%s", err, log.String(), out.String())
	}
	report := out.String()
	rows := map[string]string{}
	for _, line := range strings.Split(report, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) == 10 && strings.HasPrefix(cells[0], "| ") {
			rows[strings.TrimPrefix(cells[0], "| ")+"/"+cells[2]] = line
		}
	}
	for _, key := range []string{"products/products", "placeOrder/placeOrder", "mixed/products"} {
		row, ok := rows[key]
		if !ok {
			t.Fatalf("no row for %s in report:\n%s", key, report)
		}
		if strings.Contains(row, "| 0 | 0 |") {
			t.Errorf("%s measured nothing: %s", key, row)
		}
	}
	if !strings.HasSuffix(rows["products/products"], "| none |") {
		t.Errorf("browsing failed: %s", rows["products/products"])
	}
	if n := strings.Count(report, "OK: zero oversell, books exact"); n != 2 {
		t.Errorf("want 2 passing stock audits (placeOrder, mixed), got %d:\n%s", n, report)
	}
	for _, want := range []string{"\n- placeOrder: stock audit: ", "\n- mixed: stock audit: ",
		"; health at load stop: unsettled steps ", "; settled and books exact "} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "confirmed 0 ") {
		t.Errorf("no order was confirmed:\n%s", report)
	}
}

func TestParseFlagsRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown scenario", []string{"--scenarios", "products,checkout"}, `unknown scenario "checkout"`},
		{"no scenario", []string{"--scenarios", ","}, "no scenario"},
		{"zero duration", []string{"--duration", "0s"}, "duration must be positive"},
		{"zero workers", []string{"--concurrency", "0"}, "must be at least 1"},
		{"bad format", []string{"--format", "csv"}, "format must be"},
		{"remote without key", []string{"--router", "http://127.0.0.1:1/graphql", "--admin-key", ""}, "--router needs --admin-key"},
		{"remote no-cache", []string{"--router", "http://127.0.0.1:1/graphql", "--admin-key", "k", "--no-cache"}, "in-process stack only"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseFlags(tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseFlags(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
	c, err := parseFlags([]string{"--scenarios", "mixed", "--supergraph", "x.graphql"}, io.Discard)
	if err != nil || len(c.Scenarios) != 1 || c.Scenarios[0] != "mixed" || c.Duration.Seconds() != 20 {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
}

// TestReportAudits: every scenario that ordered gets one audit line (a
// list item in markdown), and a failed or unfinished audit names its
// scenario among the failures that make the command exit non-zero.
func TestReportAudits(t *testing.T) {
	t.Parallel()
	ok := &shop.Audit{Initial: 10, Current: 7, Confirmed: 3, Settle: time.Second, SettleTime: 1200 * time.Millisecond}
	leak := &shop.Audit{Initial: 10, Current: 6, Confirmed: 3, Settle: time.Second, Unbalanced: []string{"p1"}}
	owed := shop.Health{UnsettledSteps: 1, OwedReleases: 1}
	settling := &shop.Audit{Initial: 10, Current: 5, Confirmed: 3, Settle: time.Second, AtStop: owed, Health: owed}
	empty := &load.Result{Ops: map[string]*load.Stats{}}
	rep := &report{cfg: config{Format: "markdown"}, runs: []scenarioRun{
		{name: "products", res: empty},
		{name: "placeOrder", res: empty, audit: ok},
		{name: "mixed", res: empty, audit: leak},
		{name: "soak", res: empty, audit: settling},
		{name: "broken", res: empty, auditErr: errors.New("router down")},
	}}
	if got, want := rep.failedAudits(), []string{"mixed", "soak", "broken"}; !slices.Equal(got, want) {
		t.Fatalf("failed audits %q, want %q", got, want)
	}
	for _, tc := range []struct{ format, prefix string }{{"markdown", "- "}, {"text", ""}} {
		rep.cfg.Format = tc.format
		var out bytes.Buffer
		rep.write(&out, tc.format)
		for _, want := range []string{
			"\n" + tc.prefix + "placeOrder: stock audit: initial 10 = current 7 + confirmed 3 ",
			"health at load stop: unsettled steps 0, owed releases 0, pending orders 0; inventory health not available; settled and books exact 1.2s after the load stopped; OK: zero oversell, books exact\n",
			"\n" + tc.prefix + "mixed: stock audit: ",
			"settled, books not exact within 1s; FAILED: books do not balance with nothing left to settle",
			"at the deadline: unsettled steps 1, owed releases 1, pending orders 0; inventory health not available; not settled within 1s; FAILED: still settling",
			"\n" + tc.prefix + "broken: stock audit could not finish: router down\n",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s report lacks %q:\n%s", tc.format, want, out.String())
			}
		}
		if strings.Contains(out.String(), "products: stock audit") {
			t.Errorf("%s report audits a scenario that placed no orders:\n%s", tc.format, out.String())
		}
	}
}

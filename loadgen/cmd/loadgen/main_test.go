package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestSmokeRun runs every scenario briefly against an in-process stack and
// checks the report: each scenario measured something, browsing never
// failed, orders were confirmed and the stock audit balanced.
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
	if n := strings.Count(report, "OK: zero oversell, books balance"); n != 2 {
		t.Errorf("want 2 passing stock audits (placeOrder, mixed), got %d:\n%s", n, report)
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

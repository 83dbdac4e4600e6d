package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSmokeRun opens a few subscribers on an in-process stack and checks
// that every measured restock reached every one of them and that the
// report carries the latency quantiles and the memory figure.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole shop")
	}
	t.Run("sse", func(t *testing.T) { smoke(t) })
	// 12 subscriptions over three WebSocket connections (5, 5 and 2).
	t.Run("graphql-transport-ws", func(t *testing.T) { smoke(t, "--ws-per-conn", "5") })
}

func smoke(t *testing.T, extra ...string) {
	var out, log bytes.Buffer
	args := append([]string{"--subscribers", "12", "--events", "3", "--interval", "0s", "--wait", "20s",
		"--supergraph", filepath.Join("..", "..", "..", "supergraph.graphql"), "--format", "markdown"}, extra...)
	if err := run(context.Background(), args, &out, &log); err != nil {
		t.Fatalf("run: %v\nlog:\n%s\nreport:\n%s", err, log.String(), out.String())
	}
	report := out.String()
	for _, want := range []string{"| deliveries (measured) | 36 of 36 |", "| latency p99 | ", "| RSS per subscriber | "} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if !regexp.MustCompile(`\| latency p50 \| [0-9.]+ ms \|`).MatchString(report) {
		t.Errorf("no p50 in report:\n%s", report)
	}
}

// TestFlags checks that bad flags are all reported at once.
func TestFlags(t *testing.T) {
	t.Parallel()
	_, err := parseFlags([]string{"--subscribers", "0", "--wait", "0s", "--router", "http://x", "--admin-key", "", "--format", "csv"}, io.Discard)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"at least 1", "wait must be positive", "--admin-key", "format must be"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

package harness

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeServiceEnv makes the test binary run as a fake service instead of
// its tests: it binds LISTEN_ADDR, logs `listening addr=...` the way
// platform/httpx.Serve does, answers /ready and runs until SIGTERM.
const fakeServiceEnv = "HARNESS_FAKE_SERVICE"

func TestMain(m *testing.M) {
	if os.Getenv(fakeServiceEnv) == "1" {
		os.Exit(fakeService())
	}
	os.Exit(m.Run())
}

func fakeService() int {
	ln, err := net.Listen("tcp", os.Getenv("LISTEN_ADDR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }() //nolint:errcheck // ends with the process
	log.Info("listening", "addr", ln.Addr().String())
	<-ctx.Done()
	return 0
}

func TestListenAddr(t *testing.T) {
	t.Parallel()
	line := func(json bool, msg string, args ...any) string {
		var b bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&b, nil)
		if json {
			h = slog.NewJSONHandler(&b, nil)
		}
		slog.New(h).Info(msg, args...)
		return strings.TrimSuffix(b.String(), "\n")
	}
	cases := []struct {
		name, line, want string
	}{
		{"subgraph", line(false, "listening", "addr", "127.0.0.1:41234"), "127.0.0.1:41234"},
		{"subgraph json", line(true, "listening", "addr", "127.0.0.1:41234"), "127.0.0.1:41234"},
		{"router", line(false, "router listening", "addr", "127.0.0.1:5000", "supergraph", "/tmp/a b/supergraph.graphql"), "127.0.0.1:5000"},
		{"router json", line(true, "router listening", "addr", "127.0.0.1:5000", "supergraph", "/x"), "127.0.0.1:5000"},
		{"ipv6", line(false, "listening", "addr", "[::1]:6000"), "[::1]:6000"},
		{"port zero", line(false, "listening", "addr", "127.0.0.1:0"), ""},
		{"other message", line(false, "starting", "config", "LISTEN_ADDR=127.0.0.1:0"), ""},
		{"quoted in a value", line(false, "request", "q", "msg=listening addr=127.0.0.1:7000"), ""},
		{"json other message", line(true, "starting", "addr", "127.0.0.1:7000"), ""},
		{"bind failure", "users: listen 127.0.0.1:7000: listen tcp 127.0.0.1:7000: bind: address already in use", ""},
		{"metrics", line(false, "metrics listening", "addr", "127.0.0.1:9091"), ""},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		got, ok := listenAddr(tc.line)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: listenAddr(%q) = %q, %v; want %q", tc.name, tc.line, got, ok, tc.want)
		}
	}
	for _, tc := range []struct {
		name, line, want string
	}{
		{"metrics", line(false, "metrics listening", "addr", "127.0.0.1:9091"), "127.0.0.1:9091"},
		{"router metrics", line(false, "metrics listening", "addr", "127.0.0.1:9090", "path", "/metrics"), "127.0.0.1:9090"},
		{"metrics json", line(true, "metrics listening", "addr", "127.0.0.1:9092"), "127.0.0.1:9092"},
		{"service", line(false, "listening", "addr", "127.0.0.1:41234"), ""},
		{"quoted in a value", line(false, "request", "q", `msg="metrics listening" addr=1.2.3.4:5`), ""},
	} {
		got, ok := metricsAddr(tc.line)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: metricsAddr(%q) = %q, %v; want %q", tc.name, tc.line, got, ok, tc.want)
		}
	}
}

func TestLineWriter(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	var lines []string
	w := &lineWriter{w: &log, fn: func(s string) { lines = append(lines, s) }}
	for _, p := range []string{"one\ntw", "o\r\n", "", "three\nfour", "\n\nlast"} {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	w.flush()
	want := []string{"one", "two", "three", "four", "", "last"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", lines, want)
	}
	if log.String() != "one\ntwo\r\nthree\nfour\n\nlast" {
		t.Errorf("log %q", log.String())
	}
}

// TestServiceAddress starts a process on port 0, reads the address it
// reports and restarts it on that address, also while another socket holds
// the address for a moment (retried) and for good (a clear error).
func TestServiceAddress(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"logs", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := &System{t: t, dir: dir}
	v := s.newService("fake", os.Args[0], map[string]string{fakeServiceEnv: "1"}, listenEnv)
	t.Cleanup(func() {
		if v.Proc != nil {
			v.Proc.Stop(5 * time.Second)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if err := s.startAll(ctx, []*Service{v}); err != nil {
		t.Fatal(err)
	}
	addr := v.Addr
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "0" {
		t.Fatalf("Addr = %q after start", addr)
	}

	v.Proc.Kill()
	if err := s.Restart(ctx, v); err != nil {
		t.Fatal(err)
	}
	if v.Addr != addr {
		t.Fatalf("restarted on %s, want %s", v.Addr, addr)
	}

	t.Run("address held for a moment", func(t *testing.T) {
		v.Proc.Kill()
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(500*time.Millisecond, func() { _ = ln.Close() }) //nolint:errcheck // test listener
		if err := s.Restart(ctx, v); err != nil {
			t.Fatal(err)
		}
		if v.Addr != addr {
			t.Fatalf("restarted on %s, want %s", v.Addr, addr)
		}
		raw, err := os.ReadFile(v.Proc.LogPath)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "address already in use") {
			t.Errorf("the restart never met the held address; log:\n%s", raw)
		}
	})

	t.Run("address held for good", func(t *testing.T) {
		attempts, backoff := bindAttempts, bindBackoff
		bindAttempts, bindBackoff = 3, 10*time.Millisecond
		t.Cleanup(func() { bindAttempts, bindBackoff = attempts, backoff })
		v.Proc.Kill()
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close() //nolint:errcheck // test listener
		err = s.Restart(ctx, v)
		if err == nil || !strings.Contains(err.Error(), addr+" still in use after 3 attempts") {
			t.Fatalf("restart on a held address: %v", err)
		}
	})
}

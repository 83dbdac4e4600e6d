package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

// TestShutdownDrainsBeforeClosing: once asked to stop, the router answers
// 503 on /ready while /health and GraphQL still work, for the drain delay;
// then it refuses new connections, and a request in flight completes.
func TestShutdownDrainsBeforeClosing(t *testing.T) {
	t.Parallel()
	const delay = 1500 * time.Millisecond
	var slow atomic.Bool
	started, release := make(chan struct{}, 1), make(chan struct{})
	sdl, _ := startGraph(t, func(name string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if name == "products" && slow.CompareAndSwap(true, false) {
				started <- struct{}{}
				<-release
			}
			h.ServeHTTP(w, r)
		})
	})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free) // before the subgraphs close, which waits for their handlers
	cfg := app.DefaultConfig()
	cfg.Timeouts.DrainDelay = delay
	r, err := app.New(cfg, app.WithSupergraphSDL(sdl), app.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	status := func(path string) int {
		t.Helper()
		res, err := fresh.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if c := status("/ready"); c != http.StatusOK {
		t.Fatalf("/ready = %d", c)
	}

	slow.Store(true)
	inFlight := make(chan int, 1)
	go func() {
		res, err := fresh.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"`+productsQuery+`"}`))
		if err != nil {
			inFlight <- -1
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), `"inStock"`) {
			inFlight <- -2
			return
		}
		inFlight <- res.StatusCode
	}()
	<-started

	began := time.Now()
	cancel()
	for status("/ready") != http.StatusServiceUnavailable {
		if time.Since(began) > delay/2 {
			t.Fatal("/ready did not fail on shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c := status("/health"); c != http.StatusOK {
		t.Fatalf("/health while draining = %d", c)
	}
	// Another query: an identical one would wait for the one in flight
	// (deduplication).
	if st, res, _ := post(t, base, map[string]any{"query": `query Names { products { id name } }`}, nil); st != http.StatusOK || productCount(t, res) != 3 {
		t.Fatalf("query while draining: HTTP %d %+v", st, res)
	}
	if time.Since(began) >= delay {
		t.Fatal("the checks outlasted the drain delay; they prove nothing")
	}

	time.Sleep(time.Until(began.Add(delay + 300*time.Millisecond)))
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("connection accepted after the drain delay")
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	free()
	if st := <-inFlight; st != http.StatusOK {
		t.Fatalf("in-flight request: %d", st)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunServesMetricsOnItsOwnListener: Run opens metrics.listen beside
// the public port and serves the metrics there only.
func TestRunServesMetricsOnItsOwnListener(t *testing.T) {
	t.Parallel()
	sdl, _ := startGraph(t, nil)
	cfg := app.DefaultConfig()
	cfg.Listen, cfg.Metrics.Listen, cfg.Timeouts.DrainDelay = "127.0.0.1:0", "127.0.0.1:0", 0
	var logs lockedBuffer
	r, err := app.New(cfg, app.WithSupergraphSDL(sdl), app.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	public, metrics := regexp.MustCompile(`msg="router listening" addr=(\S+)`), regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)
	var publicAddr, metricsAddr string
	for deadline := time.Now().Add(10 * time.Second); publicAddr == "" || metricsAddr == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("listeners not reported:\n%s", logs.String())
		}
		if m := public.FindStringSubmatch(logs.String()); m != nil {
			publicAddr = m[1]
		}
		if m := metrics.FindStringSubmatch(logs.String()); m != nil {
			metricsAddr = m[1]
		}
	}
	if st, _, _ := post(t, "http://"+publicAddr, map[string]any{"query": productsQuery}, nil); st != http.StatusOK {
		t.Fatalf("query: HTTP %d", st)
	}
	get := func(url string) (int, string) {
		t.Helper()
		res, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if st, body := get("http://" + metricsAddr + "/metrics"); st != http.StatusOK || !bytes.Contains([]byte(body), []byte("http_server_request_duration_seconds_count{")) {
		t.Fatalf("metrics listener: HTTP %d %.300s", st, body)
	}
	if st, _ := get("http://" + publicAddr + "/metrics"); st != http.StatusNotFound {
		t.Fatalf("/metrics on the public port: HTTP %d", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", metricsAddr, time.Second); err == nil {
		c.Close()
		t.Fatal("metrics listener open after Run returned")
	}
}

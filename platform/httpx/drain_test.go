package httpx

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
)

// TestDrainOnShutdown: once asked to stop, the server fails /ready but
// keeps serving /health and ordinary requests for the drain delay, then
// refuses new connections, and a request in flight still completes.
func TestDrainOnShutdown(t *testing.T) {
	t.Parallel()
	const delay = 800 * time.Millisecond
	slowStarted, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/app", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "app") })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, _ *http.Request) {
		close(slowStarted)
		<-release
		_, _ = io.WriteString(w, "slow done")
	})
	d := NewDrain(Shutdown{DrainDelay: delay, Timeout: 5 * time.Second})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workerStopped := make(chan time.Time, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeDrained(ctx, ln, DefaultServer(WithHealth(mux, d.Check())), slog.New(slog.DiscardHandler), d,
			func(ctx context.Context) { <-ctx.Done(); workerStopped <- time.Now() })
	}()
	base := "http://" + ln.Addr().String()
	// Fresh connections each time, as a load balancer's probes make them.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	get := func(p string) (int, error) {
		resp, err := client.Get(base + p)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	mustGet := func(p string, want int) {
		t.Helper()
		if code, err := get(p); err != nil || code != want {
			t.Fatalf("GET %s = %d, %v; want %d", p, code, err, want)
		}
	}
	mustGet("/ready", http.StatusOK)

	slow := make(chan string, 1)
	go func() {
		resp, err := client.Get(base + "/slow")
		if err != nil {
			slow <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- string(b)
	}()
	<-slowStarted

	stopAt := time.Now()
	cancel()
	// Within the drain delay: not ready, alive, still serving.
	deadline := time.Now().Add(delay / 2)
	for {
		code, err := get("/ready")
		if err != nil {
			t.Fatalf("/ready during the drain: %v", err)
		}
		if code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/ready still %d after %s of draining", code, delay/2)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mustGet("/health", http.StatusOK)
	mustGet("/app", http.StatusOK)
	if !d.Draining() {
		t.Fatal("Draining() = false during the drain")
	}
	if elapsed := time.Since(stopAt); elapsed >= delay {
		t.Fatalf("checks took %s, longer than the drain delay: the test proves nothing", elapsed)
	}

	// After the delay the listener is closed.
	time.Sleep(time.Until(stopAt.Add(delay + 200*time.Millisecond)))
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("new connection accepted after the drain delay")
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-workerStopped:
		t.Fatal("worker stopped while a request was in flight")
	default:
	}

	close(release)
	if got := <-slow; got != "slow done" {
		t.Fatalf("in-flight request: %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	select {
	case <-workerStopped:
	default:
		t.Fatal("Serve returned before its worker stopped")
	}
}

func TestLoadShutdown(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		env        map[string]string
		production bool
		want       Shutdown
		bad        bool
	}{
		"development":    {env: nil, want: Shutdown{DrainDelay: 0, Timeout: 10 * time.Second}},
		"production":     {env: nil, production: true, want: Shutdown{DrainDelay: 5 * time.Second, Timeout: 10 * time.Second}},
		"set":            {env: map[string]string{"SHUTDOWN_DRAIN_DELAY": "2s", "SHUTDOWN_TIMEOUT": "30s"}, production: true, want: Shutdown{DrainDelay: 2 * time.Second, Timeout: 30 * time.Second}},
		"negative delay": {env: map[string]string{"SHUTDOWN_DRAIN_DELAY": "-1s"}, bad: true},
		"zero timeout":   {env: map[string]string{"SHUTDOWN_TIMEOUT": "0s"}, bad: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := config.FromMap(tc.env)
			got := LoadShutdown(env, tc.production)
			if tc.bad {
				if env.Err() == nil {
					t.Fatalf("LoadShutdown(%v) accepted", tc.env)
				}
				return
			}
			if err := env.Err(); err != nil || got != tc.want {
				t.Fatalf("LoadShutdown(%v) = %+v, %v; want %+v", tc.env, got, err, tc.want)
			}
		})
	}
}

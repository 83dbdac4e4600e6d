package httpx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

func TestHealthReadyAndShutdown(t *testing.T) {
	t.Parallel()
	var ready atomic.Bool
	h := WithHealth(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "app") }),
		Check{Name: "db", Run: func(context.Context) error {
			if !ready.Load() {
				return errors.New("down")
			}
			return nil
		}})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, slog.New(slog.DiscardHandler), time.Second) }()
	base := "http://" + ln.Addr().String()
	get := func(p string) int {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/health"); c != 200 {
		t.Fatalf("/health = %d", c)
	}
	if c := get("/ready"); c != 503 {
		t.Fatalf("/ready before = %d", c)
	}
	ready.Store(true)
	if c := get("/ready"); c != 200 {
		t.Fatalf("/ready after = %d", c)
	}
	if c := get("/anything"); c != 200 {
		t.Fatalf("/anything = %d", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestServeWithWorkersStopsEverything: workers start with the server, see
// their context end on shutdown, and ServeWithWorkers returns only after
// every worker has returned.
func TestServeWithWorkersStopsEverything(t *testing.T) {
	t.Parallel()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var started, stopped atomic.Int32
	worker := func(ctx context.Context) {
		started.Add(1)
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond)
		stopped.Add(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ServeWithWorkers(ctx, ln, http.NotFoundHandler(), slog.New(slog.DiscardHandler), time.Second, worker, worker)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for started.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if started.Load() != 2 {
		t.Fatalf("workers started = %d, want 2", started.Load())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if stopped.Load() != 2 {
		t.Fatalf("workers stopped before return = %d, want 2", stopped.Load())
	}
}

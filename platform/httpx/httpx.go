// Package httpx runs a service's HTTP server with the endpoints every
// service exposes (/health, /ready) and a graceful shutdown that fails
// readiness first and drains before it closes the listener (Drain).
package httpx

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Check is one readiness check (database, broker, ...). It must be quick.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// WithHealth wraps h with GET /health (the process is up) and GET /ready
// (every check passes; 503 with the failing checks otherwise).
func WithHealth(h http.Handler, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		failed := map[string]string{}
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			if err := c.Run(ctx); err != nil {
				failed[c.Name] = err.Error()
			}
			cancel()
		}
		if len(failed) > 0 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "failed": failed})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("/", h)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away; nothing to do
}

// Serve serves h on ln until ctx ends, then shuts down gracefully, giving
// in-flight requests up to grace to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration) error {
	return ServeServer(ctx, ln, DefaultServer(h), log, grace)
}

// DefaultServer is the server Serve and ServeWithWorkers use: h behind
// header and idle timeouts, without write timeouts (streams stay open).
// Services that take their limits from configuration build their own
// (platform/httpguard).
func DefaultServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
}

// ServeServer is Serve with a server the caller configured (timeouts,
// limits); its Handler serves the requests. It stops without a drain delay
// (see ServeDrained).
func ServeServer(ctx context.Context, ln net.Listener, srv *http.Server, log *slog.Logger, grace time.Duration) error {
	return NewDrain(Shutdown{Timeout: grace}).serve(ctx, ln, srv, log)
}

// Listen opens a TCP listener on addr (":0" picks a free port).
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}

// Worker is a background task that runs beside the HTTP server until its
// context ends (outbox relays, consumers, sweepers, recovery loops).
type Worker func(ctx context.Context)

// ServeWithWorkers runs the workers and serves h on ln until ctx ends, then
// shuts the server down gracefully and stops the workers. It returns only
// once the server and every worker have stopped, so a restarted service
// never overlaps with its previous run.
func ServeWithWorkers(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration, workers ...Worker) error {
	return ServeServerWithWorkers(ctx, ln, DefaultServer(h), log, grace, workers...)
}

// ServeServerWithWorkers is ServeWithWorkers with a server the caller
// configured.
func ServeServerWithWorkers(ctx context.Context, ln net.Listener, srv *http.Server, log *slog.Logger, grace time.Duration, workers ...Worker) error {
	return ServeDrained(ctx, ln, srv, log, NewDrain(Shutdown{Timeout: grace}), workers...)
}

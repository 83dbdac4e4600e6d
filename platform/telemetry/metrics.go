package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsHandler serves the service's metrics in the Prometheus text
// format: the OpenTelemetry instruments under their translated names
// (http.server.request.duration becomes
// http_server_request_duration_seconds) and Go runtime and process
// metrics.
func (t *Telemetry) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{Registry: t.reg})
}

// ListenMetrics opens the metrics listener on MetricsAddr; it returns nil
// when metrics are off.
func (t *Telemetry) ListenMetrics() (net.Listener, error) {
	if t.cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", t.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener %s: %w", t.cfg.MetricsAddr, err)
	}
	return ln, nil
}

// ServeMetrics serves GET /metrics on ln until ctx ends. It logs
// `metrics listening addr=...` once it accepts scrapes.
func (t *Telemetry) ServeMetrics(ctx context.Context, ln net.Listener, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		<-ctx.Done()
		sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_ = srv.Shutdown(sctx) //nolint:errcheck // a scrape cut short on shutdown is harmless
	})
	log.Info("metrics listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve metrics: %w", err)
	}
	return nil
}

// MetricsWorker returns a background task (httpx.Worker) serving the
// metrics on ln until its context ends; with a nil ln it does nothing.
func (t *Telemetry) MetricsWorker(ln net.Listener, log *slog.Logger) func(context.Context) {
	return func(ctx context.Context) {
		if ln == nil {
			return
		}
		if err := t.ServeMetrics(ctx, ln, log); err != nil {
			log.Error("metrics listener stopped", "err", err)
		}
	}
}

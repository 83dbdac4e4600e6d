package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
)

// Shutdown says how a server stops once asked to. A load balancer keeps
// sending new requests to a replica until its readiness probe fails, so the
// probe fails first and the listener stays open for DrainDelay; only then
// is the listener closed, and requests in flight get Timeout to finish.
type Shutdown struct {
	// DrainDelay is the time between /ready turning 503 and the listener
	// closing, during which requests are served as usual.
	DrainDelay time.Duration
	// Timeout bounds the wait for requests in flight once the listener
	// has closed.
	Timeout time.Duration
}

// Shutdown defaults. Development (tests, `make run`) stops at once;
// production leaves a load balancer a few probe intervals to notice.
const (
	DefaultDrainDelayProduction = 5 * time.Second
	DefaultShutdownTimeout      = 10 * time.Second
)

// LoadShutdown reads SHUTDOWN_DRAIN_DELAY (default 5s in production, 0
// otherwise) and SHUTDOWN_TIMEOUT (default 10s), recording problems on env.
func LoadShutdown(env *config.Env, production bool) Shutdown {
	delay := time.Duration(0)
	if production {
		delay = DefaultDrainDelayProduction
	}
	s := Shutdown{
		DrainDelay: env.Duration("SHUTDOWN_DRAIN_DELAY", delay),
		Timeout:    env.Duration("SHUTDOWN_TIMEOUT", DefaultShutdownTimeout),
	}
	if s.DrainDelay < 0 {
		env.Problem("SHUTDOWN_DRAIN_DELAY must not be negative, got %s", s.DrainDelay)
	}
	if s.Timeout <= 0 {
		env.Problem("SHUTDOWN_TIMEOUT must be positive, got %s", s.Timeout)
	}
	return s
}

// Drain is one server's shutdown in progress: give its Check to WithHealth
// so /ready fails while the server drains, and serve with ServeDrained.
type Drain struct {
	cfg      Shutdown
	draining atomic.Bool
}

// NewDrain returns the shutdown state of one server.
func NewDrain(s Shutdown) *Drain { return &Drain{cfg: s} }

// Draining reports whether shutdown has begun.
func (d *Drain) Draining() bool { return d.draining.Load() }

// Check is the readiness check that fails once shutdown has begun.
func (d *Drain) Check() Check {
	return Check{Name: "shutdown", Run: func(context.Context) error {
		if d.draining.Load() {
			return errDraining
		}
		return nil
	}}
}

var errDraining = errors.New("draining")

// ServeDrained serves srv on ln and runs the workers until ctx ends. Then
// /ready fails (d.Check), requests are still served for the drain delay,
// the listener closes and requests in flight get the shutdown timeout to
// finish; the workers are stopped last, so events keep flowing while the
// server drains. It returns once the server and every worker have stopped.
func ServeDrained(ctx context.Context, ln net.Listener, srv *http.Server, log *slog.Logger, d *Drain, workers ...Worker) error {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w(wctx) })
	}
	err := d.serve(ctx, ln, srv, log)
	cancel()
	wg.Wait()
	return err
}

func (d *Drain) serve(ctx context.Context, ln net.Listener, srv *http.Server, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	d.draining.Store(true)
	if d.cfg.DrainDelay > 0 {
		log.Info("draining: not ready, still serving", "delay", d.cfg.DrainDelay)
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-time.After(d.cfg.DrainDelay):
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), d.cfg.Timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

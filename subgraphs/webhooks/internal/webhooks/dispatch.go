package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/webhooks/signature"
)

// Leader says whether this replica may dispatch now (platform/lease).
type Leader interface {
	Held(ctx context.Context) (bool, error)
}

// DispatchConfig tunes the dispatcher.
type DispatchConfig struct {
	// Poll is the pause between passes over the due deliveries.
	Poll time.Duration
	// AttemptTimeout bounds one POST, response included.
	AttemptTimeout time.Duration
	// BackoffBase is the pause after the first failure, doubled after
	// each further one up to BackoffMax, with random jitter of up to half.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Batch is how many due deliveries one pass takes; Workers how many
	// it sends at once.
	Batch   int
	Workers int
}

// Dispatcher posts due deliveries and records every attempt.
type Dispatcher struct {
	store  Storer
	client *http.Client
	leader Leader
	cfg    DispatchConfig
	log    *slog.Logger
	now    func() time.Time
}

// NewDispatcher returns a dispatcher that posts with client (whose dialer
// refuses non-public addresses: see URLGuard.Control) while leader says
// this replica holds the dispatch lease.
func NewDispatcher(store Storer, client *http.Client, leader Leader, cfg DispatchConfig, log *slog.Logger) *Dispatcher {
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	return &Dispatcher{store: store, client: client, leader: leader, cfg: cfg, log: log, now: time.Now}
}

// Run makes passes until ctx ends. A failed pass is logged and the next
// one retries: nothing is marked sent that was not.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		held, err := d.leader.Held(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("webhook dispatch lease", "err", err)
		}
		if held {
			if _, err := d.Pass(ctx); err != nil && ctx.Err() == nil {
				d.log.Warn("webhook dispatch pass failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass attempts the deliveries due now and returns how many it tried.
func (d *Dispatcher) Pass(ctx context.Context) (int, error) {
	due, err := d.store.Due(ctx, d.now(), d.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("due deliveries: %w", err)
	}
	eps := map[string]*Endpoint{}
	for _, del := range due {
		if _, ok := eps[del.EndpointID]; ok {
			continue
		}
		e, err := d.store.Endpoint(ctx, del.EndpointID)
		switch {
		case errors.Is(err, ErrNotFound):
			eps[del.EndpointID] = nil
		case err != nil:
			return 0, fmt.Errorf("webhook endpoint: %w", err)
		default:
			eps[del.EndpointID] = &e
		}
	}
	sem := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	errs := make([]error, len(due))
	for i, del := range due {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = d.attempt(ctx, eps[del.EndpointID], del)
		})
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// attempt posts del to e once and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, e *Endpoint, del Delivery) error {
	start := d.now()
	if e == nil {
		del.Attempts = append(del.Attempts, Attempt{At: start.UTC(), Error: "the webhook was deleted"})
		del.Status, del.NextAttemptAt = StatusFailed, time.Time{}
		return d.store.SaveAttempt(ctx, del)
	}
	status, err := d.post(ctx, *e, del, start)
	a := Attempt{At: start.UTC(), HTTPStatus: status, Duration: d.now().Sub(start)}
	if err != nil {
		if ctx.Err() != nil {
			return nil // shutting down: the attempt is made again later
		}
		msg := err.Error()
		if len(msg) > MaxErrorText {
			msg = msg[:MaxErrorText]
		}
		a.Error = msg
	}
	del.Attempts = append(del.Attempts, a)
	if err == nil && status >= 200 && status < 300 {
		del.Status, del.NextAttemptAt = StatusDelivered, time.Time{}
	} else {
		if err == nil {
			a.Error = fmt.Sprintf("HTTP %d", status)
			del.Attempts[len(del.Attempts)-1] = a
		}
		next := d.now().Add(d.backoff(len(del.Attempts)))
		if next.After(del.Deadline) || len(del.Attempts) >= MaxAttempts {
			del.Status, del.NextAttemptAt = StatusFailed, time.Time{}
		} else {
			del.Status, del.NextAttemptAt = StatusRetrying, next.UTC()
		}
	}
	if err := d.store.SaveAttempt(context.WithoutCancel(ctx), del); err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

// post sends one signed POST and returns the HTTP status.
func (d *Dispatcher) post(ctx context.Context, e Endpoint, del Delivery, at time.Time) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "shop-webhooks/1")
	if err := signature.Headers(req.Header, e.Secret, del.MessageID, at, del.Payload); err != nil {
		return 0, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused; the
	// body itself means nothing.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // the status decides
	return resp.StatusCode, nil
}

// backoff is the pause after the n-th failed attempt: BackoffBase doubled
// per earlier failure, at most BackoffMax, of which a random part of up
// to half is taken off so endpoints that failed together retry apart.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := min(d.cfg.BackoffBase<<min(n-1, 20), d.cfg.BackoffMax)
	if b <= 1 {
		return b
	}
	return b - rand.N(b/2+1) //nolint:gosec // jitter, not a secret
}

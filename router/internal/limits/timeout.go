package limits

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// CodeTimeout is the extensions.code of a request that ran out of time.
const CodeTimeout = "GATEWAY_TIMEOUT"

// Timeout bounds the handling of each request by d: the engine sees the
// deadline in its context and stops fetching, and a response that is only
// ready after the deadline is replaced by 504 GATEWAY_TIMEOUT (the engine
// would otherwise answer 200 with "failed to fetch" errors, which hides
// that the router gave up).
func Timeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		tw := &timeoutWriter{ResponseWriter: w, ctx: ctx}
		next.ServeHTTP(tw, r.WithContext(ctx))
	})
}

var timeoutBody = []byte(`{"errors":[{"message":"request timed out","extensions":{"code":"` + CodeTimeout + `"}}]}`)

// timeoutWriter decides at the first write whether the deadline passed.
type timeoutWriter struct {
	http.ResponseWriter
	ctx      context.Context
	started  bool
	timedOut bool
}

func (w *timeoutWriter) start() {
	if w.started {
		return
	}
	w.started = true
	if errors.Is(w.ctx.Err(), context.DeadlineExceeded) {
		w.timedOut = true
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Del("Content-Length")
		w.ResponseWriter.WriteHeader(http.StatusGatewayTimeout)
		_, _ = w.ResponseWriter.Write(timeoutBody)
	}
}

func (w *timeoutWriter) WriteHeader(status int) {
	w.start()
	if !w.timedOut {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *timeoutWriter) Write(p []byte) (int, error) {
	w.start()
	if w.timedOut {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// SubgraphTimeouts bounds requests to some subgraphs more tightly than the
// client-wide timeout. byURL maps a subgraph's request URL to its timeout;
// other URLs pass through untouched.
func SubgraphTimeouts(byURL map[string]time.Duration, next http.RoundTripper) http.RoundTripper {
	return &timeoutTransport{byURL: byURL, next: next}
}

type timeoutTransport struct {
	byURL map[string]time.Duration
	next  http.RoundTripper
}

func (t *timeoutTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	d, ok := t.byURL[r.URL.String()]
	if !ok {
		return t.next.RoundTrip(r)
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	resp, err := t.next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	// The body is read after RoundTrip returns: keep the deadline until it
	// is closed.
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

package limits

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// CodeTimeout is the extensions.code of a request that ran out of time.
const CodeTimeout = "GATEWAY_TIMEOUT"

// Timeout bounds the handling of each request by d. The handler runs with
// the deadline in its context, so the engine stops fetching, and the
// client gets 504 GATEWAY_TIMEOUT at the deadline even when the handler is
// still busy with work that does not watch its context (planning, waiting
// for a resolver slot): its response, if it ever comes, is dropped. A
// response that started before the deadline is let finish. When the
// client goes away first, nothing is written.
//
// The handler runs on the connection's goroutine, whose stack has already
// grown to what the engine needs; the 504 is written from a timer when the
// deadline passes first. (Running every handler on a fresh goroutine cost
// about 5% of the router's CPU under load, in stack growth alone.)
func Timeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		tw := &timeoutWriter{w: w, ctx: ctx, header: make(http.Header)}
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			defer close(fired)
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return // the client went away, or the handler returned
			}
			tw.mu.Lock()
			defer tw.mu.Unlock()
			if tw.started || tw.abandoned || tw.returned {
				return
			}
			tw.abandon()
		})
		defer func() {
			if !stop() {
				<-fired // the timer's write must end before the handler's response does
			}
		}()
		next.ServeHTTP(tw, r.WithContext(ctx))
		tw.mu.Lock()
		defer tw.mu.Unlock()
		tw.returned = true
		if tw.abandoned {
			return
		}
		if !tw.started && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The handler gave up at the deadline without a response of
			// its own (the engine returns when its context ends).
			tw.abandon()
			return
		}
		tw.finish()
	})
}

var timeoutBody = []byte(`{"errors":[{"message":"request timed out","extensions":{"code":"` + CodeTimeout + `"}}]}`)

func writeTimeout(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	// A length lets the client read the whole answer while the handler
	// still holds the connection.
	h.Set("Content-Length", strconv.Itoa(len(timeoutBody)))
	w.WriteHeader(http.StatusGatewayTimeout)
	_, _ = w.Write(timeoutBody)
}

// timeoutWriter lets the handler's response through unless the deadline
// passed before it started. The handler writes its headers into a map of
// its own, copied to the real response when it starts, so that a 504
// written at the deadline never races with it.
type timeoutWriter struct {
	w      http.ResponseWriter
	ctx    context.Context
	header http.Header

	mu        sync.Mutex
	started   bool
	abandoned bool
	returned  bool // the handler returned: the timer writes nothing
}

func (tw *timeoutWriter) Header() http.Header { return tw.header }

// start sends the handler's status and headers; callers hold mu. It
// reports false once the request was abandoned, or when the deadline
// passed before the response started: the engine answers 200 with "failed
// to fetch" errors when its context ends, which would hide that the
// router gave up, so the 504 is written instead.
func (tw *timeoutWriter) start(status int) bool {
	if tw.abandoned {
		return false
	}
	if !tw.started && errors.Is(tw.ctx.Err(), context.DeadlineExceeded) {
		// The deadline passed before the handler's first byte: the client
		// gets the 504 now, whichever of the timer and the handler gets
		// here first (the other then finds abandoned set).
		tw.abandon()
		return false
	}
	if !tw.started {
		tw.started = true
		dst := tw.w.Header()
		for k, v := range tw.header {
			dst[k] = v
		}
		tw.w.WriteHeader(status)
	}
	return true
}

func (tw *timeoutWriter) WriteHeader(status int) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.start(status)
}

func (tw *timeoutWriter) Write(p []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if !tw.start(http.StatusOK) {
		return 0, http.ErrHandlerTimeout
	}
	return tw.w.Write(p)
}

// FlushError sends what the handler wrote so far (incremental responses
// flush every part); like Write, it starts the response.
func (tw *timeoutWriter) FlushError() error {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if !tw.start(http.StatusOK) {
		return http.ErrHandlerTimeout
	}
	return http.NewResponseController(tw.w).Flush()
}

// finish sends the headers of a handler that returned without writing;
// callers hold mu.
func (tw *timeoutWriter) finish() { tw.start(http.StatusOK) }

// abandon answers 504 in place of the handler, once; tw.mu is held and
// nothing was written yet.
func (tw *timeoutWriter) abandon() {
	tw.abandoned = true
	writeTimeout(tw.w)
	_ = http.NewResponseController(tw.w).Flush() //nolint:errcheck // best effort: the answer is complete with its length
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

// Flush is FlushError for writers that wrap this one as an http.Flusher.
func (tw *timeoutWriter) Flush() { _ = tw.FlushError() }

package limits

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Timeout bounds the handling of each request by d: the engine sees the
// deadline in its context, stops fetching and the handler answers 504.
func Timeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
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

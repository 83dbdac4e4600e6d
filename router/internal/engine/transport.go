package engine

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// HTTPOptions tune the client used for subgraph requests.
type HTTPOptions struct {
	// RequestTimeout bounds one subgraph request, including reading the body.
	RequestTimeout time.Duration
	// DialTimeout bounds establishing a connection.
	DialTimeout time.Duration
	// MaxResponseBytes caps a subgraph response body; larger bodies fail the fetch.
	MaxResponseBytes int64
	// MaxIdleConnsPerHost keeps connections alive between requests.
	MaxIdleConnsPerHost int
	// WrapTransport, when set, wraps the subgraph transport so optional
	// features (metrics, tracing, per-subgraph timeouts) see every fetch.
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

func newHTTPClient(o HTTPOptions) *http.Client {
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = 256
	}
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          o.MaxIdleConnsPerHost * 4,
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
	}
	var rt http.RoundTripper = tr
	if o.MaxResponseBytes > 0 {
		rt = &limitTransport{next: tr, max: o.MaxResponseBytes}
	}
	if o.WrapTransport != nil {
		rt = o.WrapTransport(rt)
	}
	return &http.Client{Transport: rt, Timeout: o.RequestTimeout}
}

// ErrResponseTooLarge is returned when a subgraph response exceeds the cap.
var ErrResponseTooLarge = errors.New("subgraph response exceeds size limit")

// limitTransport caps response bodies so one subgraph cannot exhaust memory.
type limitTransport struct {
	next http.RoundTripper
	max  int64
}

// RoundTrip refuses declared oversized bodies and caps the others.
func (t *limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("subgraph %s: %w (%d > %d bytes)", r.URL.Host, ErrResponseTooLarge, resp.ContentLength, t.max)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.max}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

// Read fails with ErrResponseTooLarge once the cap is passed.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Probe for one more byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the underlying body.
func (b *limitedBody) Close() error { return b.rc.Close() }

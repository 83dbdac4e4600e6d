package engine

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// HTTPOptions tune the client used for subgraph requests.
type HTTPOptions struct {
	// RequestTimeout bounds one subgraph request, including reading the body.
	RequestTimeout time.Duration
	// DialTimeout bounds establishing a connection.
	DialTimeout time.Duration
	// MaxResponseBytes caps a subgraph response body, both as sent and once
	// decompressed; larger bodies fail the fetch.
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
//
// graphql-go-tools asks subgraphs for gzip or deflate and decompresses the
// body itself, so a cap on the bytes read from the connection would let a
// small compressed body expand without bound. The transport therefore
// decompresses the body here, capping the bytes read from the connection
// and the bytes produced, and hands the client the plain body (without
// Content-Encoding, so it is not decoded twice).
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
	wire := &limitedBody{r: resp.Body, c: resp.Body, left: t.max}
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if enc != "gzip" && enc != "deflate" {
		resp.Body = wire
		return resp, nil
	}
	resp.Body = &limitedBody{r: &decoder{enc: enc, src: wire}, c: wire, left: t.max}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	return resp, nil
}

// decoder decompresses lazily, so that a malformed header fails the read
// (and with it the fetch) rather than the round trip.
type decoder struct {
	enc string
	src io.Reader
	r   io.Reader
}

func (d *decoder) Read(p []byte) (int, error) {
	if d.r == nil {
		if d.enc == "deflate" {
			d.r = flate.NewReader(d.src)
		} else {
			zr, err := gzip.NewReader(d.src)
			if err != nil {
				return 0, fmt.Errorf("subgraph response: gzip: %w", err)
			}
			d.r = zr
		}
	}
	return d.r.Read(p)
}

// limitedBody reads at most left bytes from r and fails with
// ErrResponseTooLarge once more are available; closing it closes c.
type limitedBody struct {
	r    io.Reader
	c    io.Closer
	left int64
}

// Read fails with ErrResponseTooLarge once the cap is passed.
func (b *limitedBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.left <= 0 {
		// Probe for one more byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the underlying body.
func (b *limitedBody) Close() error { return b.c.Close() }

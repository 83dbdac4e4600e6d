package httpguard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type peerKey struct{}

// Peer returns the accounting key (PeerKey) of the TCP peer that sent the
// request ctx belongs to, as Handler recorded it; "" outside one.
func Peer(ctx context.Context) string {
	p, _ := ctx.Value(peerKey{}).(string)
	return p
}

// IsStream reports whether r opens a long-lived response: a WebSocket
// upgrade or a Server-Sent Events stream. Such responses get no write
// deadline.
func IsStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// Handler wraps h with the per-request limits of l: the body is read in
// full (at most MaxBodyBytes, within BodyTimeout) before h runs, so h
// never waits on a slow client or buffers an oversized body; responses
// that are not streams must be written within WriteTimeout. The request
// context carries the client's PeerKey (see Peer).
func (l Limits) Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.Body != nil && r.Body != http.NoBody {
			body, ok := l.readBody(w, r, rc)
			if !ok {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.TransferEncoding = nil
		}
		if l.WriteTimeout > 0 && !IsStream(r) {
			// Deadlines are not supported by every ResponseWriter (test
			// recorders); the limit then simply does not apply.
			_ = rc.SetWriteDeadline(time.Now().Add(l.WriteTimeout))
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), peerKey{}, PeerKey(r.RemoteAddr))))
	})
}

// readBody reads r's body within the limits, or answers the client and
// returns false.
func (l Limits) readBody(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) ([]byte, bool) {
	if l.MaxBodyBytes > 0 && r.ContentLength > l.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		WriteError(w, http.StatusRequestEntityTooLarge, CodeTooLarge, tooLarge(l.MaxBodyBytes))
		return nil, false
	}
	if l.BodyTimeout > 0 {
		_ = rc.SetReadDeadline(time.Now().Add(l.BodyTimeout))
	}
	src := r.Body
	if l.MaxBodyBytes > 0 {
		src = http.MaxBytesReader(w, r.Body, l.MaxBodyBytes)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(src)
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case err == nil:
	case errors.As(err, &tooBig):
		WriteError(w, http.StatusRequestEntityTooLarge, CodeTooLarge, tooLarge(l.MaxBodyBytes))
		return nil, false
	case errors.As(err, &netErr) && netErr.Timeout():
		w.Header().Set("Connection", "close")
		WriteError(w, http.StatusRequestTimeout, CodeTimeout, "the request body did not arrive within "+l.BodyTimeout.String())
		return nil, false
	default:
		w.Header().Set("Connection", "close")
		WriteError(w, http.StatusBadRequest, CodeBadRequest, "the request body could not be read")
		return nil, false
	}
	if l.BodyTimeout > 0 {
		// The body is in; lift the deadline so that a stream answering
		// this request (SSE) is not cut when it passes.
		_ = rc.SetReadDeadline(time.Time{})
	}
	return buf.Bytes(), true
}

func tooLarge(limit int64) string {
	return "the request body is larger than the limit of " + formatBytes(limit)
}

// formatBytes writes n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

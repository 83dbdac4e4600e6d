package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// ReadBodyWithin reads each request's body before next sees it, within
// timeout of the headers' arrival and up to limit+1 bytes (the handlers
// behind refuse what is longer). A client that sends its body slowly, a
// byte every few seconds, is answered 408 REQUEST_TIMEOUT at the deadline
// and its connection closed, instead of holding a connection and a
// goroutine for as long as it likes. Requests without a body (GET,
// WebSocket upgrades) pass untouched, and streams that follow (SSE
// responses, WebSockets) keep no read deadline. timeout <= 0 turns the
// bound off.
func ReadBodyWithin(next http.Handler, timeout time.Duration, limit int64) http.Handler {
	if timeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		// Not every ResponseWriter supports deadlines (e.g. in tests); the
		// body is then read without one.
		deadline := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if deadline {
			_ = rc.SetReadDeadline(time.Time{})
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				w.Header().Set("Connection", "close")
				writeErrors(w, mediaJSON, http.StatusRequestTimeout, "request body not received in time", "REQUEST_TIMEOUT")
				return
			}
			writeErrors(w, mediaJSON, http.StatusBadRequest, "cannot read request body", "BAD_REQUEST")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

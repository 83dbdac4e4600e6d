package deferred

import (
	"net/http"
)

const (
	delimiter  = "\r\n--graphql\r\n"
	partHeader = "content-type: application/json; charset=utf-8\r\n\r\n"
	closing    = "\r\n--graphql--\r\n"
)

// Multipart writes payloads as the parts of a multipart/mixed response and
// flushes each one, so the client reads it before the next is computed.
type Multipart struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
	closed  bool
}

// NewMultipart writes parts to w; nothing is written before the first part.
func NewMultipart(w http.ResponseWriter) *Multipart {
	return &Multipart{w: w, rc: http.NewResponseController(w)}
}

// Started reports whether the response began (status and headers sent).
func (m *Multipart) Started() bool { return m.started }

// WritePart sends one JSON payload as a part and flushes it.
func (m *Multipart) WritePart(payload []byte) error {
	if !m.started {
		m.started = true
		h := m.w.Header()
		h.Set("Content-Type", ContentType)
		h.Del("Content-Length")
		// Proxies must pass the parts on as they come.
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		m.w.WriteHeader(http.StatusOK)
	}
	buf := make([]byte, 0, len(delimiter)+len(partHeader)+len(payload))
	buf = append(buf, delimiter...)
	buf = append(buf, partHeader...)
	buf = append(buf, payload...)
	if _, err := m.w.Write(buf); err != nil {
		return err
	}
	return m.rc.Flush()
}

// Close ends a started response with the closing delimiter; it does
// nothing when no part was written.
func (m *Multipart) Close() error {
	if !m.started || m.closed {
		return nil
	}
	m.closed = true
	if _, err := m.w.Write([]byte(closing)); err != nil {
		return err
	}
	return m.rc.Flush()
}

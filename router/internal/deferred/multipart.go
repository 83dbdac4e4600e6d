package deferred

import (
	"errors"
	"net/http"
)

const (
	delimiter  = "\r\n--graphql\r\n"
	partHeader = "content-type: application/json; charset=utf-8\r\n\r\n"
	closing    = "\r\n--graphql--\r\n"
)

// Multipart writes payloads as the parts of a multipart/mixed response and
// flushes each one. Every part is followed at once by the delimiter that
// ends it (the next part's, or the closing one after the last), so that a
// client's multipart parser hands the part over without waiting for the
// next one.
type Multipart struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
	ended   bool
}

// NewMultipart writes parts to w; nothing is written before the first part.
func NewMultipart(w http.ResponseWriter) *Multipart {
	return &Multipart{w: w, rc: http.NewResponseController(w)}
}

// Started reports whether the response began (status and headers sent).
func (m *Multipart) Started() bool { return m.started }

// WritePart sends one JSON payload as a part and flushes it; last ends the
// response with the closing delimiter.
func (m *Multipart) WritePart(payload []byte, last bool) error {
	if m.ended {
		return errEnded
	}
	buf := make([]byte, 0, len(delimiter)+len(partHeader)+len(payload)+len(closing))
	if !m.started {
		m.started = true
		h := m.w.Header()
		h.Set("Content-Type", ContentType)
		h.Del("Content-Length")
		// Proxies must pass the parts on as they come.
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		m.w.WriteHeader(http.StatusOK)
		buf = append(buf, delimiter...)
	}
	buf = append(buf, partHeader...)
	buf = append(buf, payload...)
	if last {
		m.ended = true
		buf = append(buf, closing...)
	} else {
		buf = append(buf, delimiter...)
	}
	if _, err := m.w.Write(buf); err != nil {
		return err
	}
	if err := m.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	// A writer that cannot flush (one that buffers the whole response, as
	// the query-plan middleware does) gets the parts all at once.
	return nil
}

// Close ends a started response that no last part ended, with a payload
// that has nothing more to come.
func (m *Multipart) Close() error {
	if !m.started || m.ended {
		return nil
	}
	return m.WritePart([]byte(`{"hasNext":false}`), true)
}

var errEnded = errors.New("deferred: the multipart response has ended")

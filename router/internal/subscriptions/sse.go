package subscriptions

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// serveSSE streams one subscription as Server-Sent Events: an event
// "next" per response and "complete" at the end.
func (h *Handler) serveSSE(w http.ResponseWriter, r *http.Request, client string) {
	release, refused := h.subs.acquire(client)
	if refused != nil {
		writeJSONErrors(w, refused.status, refused.err)
		return
	}
	defer release()
	p, err := h.readSSERequest(r)
	var req *engine.Request
	if err == nil {
		req, err = h.prepare(r, p)
	} else {
		err = badRequest(err.Error())
	}
	if err != nil {
		writeJSONErrors(w, http.StatusBadRequest, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSONErrors(w, http.StatusInternalServerError, badRequest("streaming is not supported by this connection"))
		return
	}
	// Open the stream at once so the client sees the subscription is
	// accepted; errors found later arrive as a final "next" event.
	sw := &sseWriter{w: w, f: flusher}
	sw.open()
	if err := h.run(r.Context(), req, r.Header, sw); err != nil {
		if _, ok := engine.AsRequestError(err); !ok {
			h.log.Warn("subscription ended with an error", "err", err)
		}
		body, _ := json.Marshal(map[string]any{"errors": errorList(err)})
		sw.Error(body)
	}
	sw.Complete()
}

func writeJSONErrors(w http.ResponseWriter, status int, err error) {
	body, _ := json.Marshal(map[string]any{"errors": errorList(err)})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// sseWriter adapts the engine's subscription writer to an event stream.
type sseWriter struct {
	mu       sync.Mutex
	w        http.ResponseWriter
	f        http.Flusher
	buf      bytes.Buffer
	began    bool
	complete bool
}

// open sends the stream headers.
func (s *sseWriter) open() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begin()
	s.f.Flush()
}

// begin sends the stream headers once; callers hold mu.
func (s *sseWriter) begin() {
	if s.began {
		return
	}
	s.began = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
}

func (s *sseWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// Flush sends the buffered response as one "next" event.
func (s *sseWriter) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.complete || s.buf.Len() == 0 {
		return nil
	}
	s.begin()
	_, err := s.w.Write(append(append([]byte("event: next\ndata: "), s.buf.Bytes()...), '\n', '\n'))
	s.buf.Reset()
	s.f.Flush()
	return err
}

// Complete ends the stream.
func (s *sseWriter) Complete() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.complete {
		return
	}
	s.complete = true
	s.begin()
	_, _ = s.w.Write([]byte("event: complete\ndata:\n\n"))
	s.f.Flush()
}

// Heartbeat keeps proxies from closing an idle stream.
func (s *sseWriter) Heartbeat() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.complete {
		return nil
	}
	s.begin()
	_, err := s.w.Write([]byte(":\n\n"))
	s.f.Flush()
	return err
}

// Error sends a final error response.
func (s *sseWriter) Error(data []byte) {
	s.mu.Lock()
	s.buf.Reset()
	s.buf.Write(data)
	s.mu.Unlock()
	_ = s.Flush()
}

package reqinfo

import (
	"bytes"
	"net/http"
)

// Recorder wraps a ResponseWriter to observe the status, the size and
// whether the GraphQL response carries errors, without buffering the body.
type Recorder struct {
	http.ResponseWriter
	// Status is the HTTP status written (200 when only the body was).
	Status int
	// Bytes counts the body bytes written.
	Bytes int
	// GraphQLErrors is true when the body starts with an "errors" member,
	// as the engine writes it when a request or a fetch failed.
	GraphQLErrors bool
}

// NewRecorder wraps w.
func NewRecorder(w http.ResponseWriter) *Recorder { return &Recorder{ResponseWriter: w} }

// WriteHeader records the status.
func (r *Recorder) WriteHeader(status int) {
	if r.Status == 0 {
		r.Status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

var errorsPrefix = []byte(`{"errors":`)

// Write records the size and peeks at the first bytes for errors.
func (r *Recorder) Write(p []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	if r.Bytes == 0 && bytes.HasPrefix(p, errorsPrefix) {
		r.GraphQLErrors = true
	}
	n, err := r.ResponseWriter.Write(p)
	r.Bytes += n
	return n, err
}

// Flush forwards to the wrapped writer when it can flush (streaming).
func (r *Recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the wrapped writer.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Failed reports whether the request counts as an error: an HTTP error
// status or GraphQL errors in the body.
func (r *Recorder) Failed() bool { return r.Status >= 400 || r.GraphQLErrors }

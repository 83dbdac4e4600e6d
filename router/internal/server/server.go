// Package server exposes the engine over HTTP per the GraphQL-over-HTTP
// specification: POST and GET /graphql, /health and /ready.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/shopsupergraph/shop/router/internal/deferred"
	"github.com/shopsupergraph/shop/router/internal/engine"
)

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// Executor runs GraphQL requests; *engine.Engine implements it.
type Executor interface {
	Execute(ctx context.Context, req *engine.Request, header http.Header, w io.Writer, o engine.ExecOptions) error
}

// Options configure the HTTP handler.
type Options struct {
	// MaxRequestBytes caps request bodies (default 1 MiB).
	MaxRequestBytes int64
	// Logger receives execution failures; nil discards them.
	Logger *slog.Logger
	// Hook, when set, sees every request after it is read and before it is
	// executed: persisted queries, operation limits and other optional
	// features plug in here. nil costs nothing.
	Hook RequestHook
}

// RequestHook inspects or completes a request, e.g. fills Query from a
// persisted-query hash. A *engine.RequestError rejects the request with its
// errors; any other error is sent as BAD_REQUEST.
type RequestHook func(r *http.Request, req *engine.Request, extensions json.RawMessage) error

// Handler serves the GraphQL endpoint and the probes.
type Handler struct {
	exec   Executor
	opts   Options
	mux    *http.ServeMux
	ready  atomic.Bool
	bufs   sync.Pool
	logger *slog.Logger
}

// New returns a handler; it reports ready until SetReady(false).
func New(exec Executor, o Options) *Handler {
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = 1 << 20
	}
	h := &Handler{exec: exec, opts: o, mux: http.NewServeMux(), logger: o.Logger}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	h.ready.Store(true)
	h.mux.HandleFunc("/graphql", h.serveGraphQL)
	h.mux.HandleFunc("/health", h.serveHealth)
	h.mux.HandleFunc("/ready", h.serveReady)
	return h
}

// SetReady flips the readiness probe, e.g. to drain before shutdown.
func (h *Handler) SetReady(ready bool) { h.ready.Store(ready) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", mediaJSON)
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}

func (h *Handler) serveReady(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", mediaJSON)
	if !h.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"draining"}`))
		return
	}
	_, _ = w.Write([]byte(`{"status":"ready"}`))
}

// rawRequest is the JSON body of a GraphQL-over-HTTP request.
type rawRequest struct {
	Query         *string         `json:"query"`
	OperationName *string         `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func (h *Handler) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	media := negotiate(r.Header.Get("Accept"))
	var (
		req  *engine.Request
		ext  json.RawMessage
		err  error
		opts engine.ExecOptions
	)
	switch r.Method {
	case http.MethodPost:
		req, ext, err = h.readPost(r)
	case http.MethodGet:
		req, ext, err = readGet(r)
		opts.QueriesOnly = true
	default:
		w.Header().Set("Allow", "GET, POST")
		writeErrors(w, media, http.StatusMethodNotAllowed, "method not allowed", "BAD_REQUEST")
		return
	}
	if err == nil && h.opts.Hook != nil {
		if err = h.opts.Hook(r, req, ext); err != nil {
			if re, ok := engine.AsRequestError(err); ok {
				h.writeRequestError(w, media, re)
				return
			}
		}
	}
	if err == nil && strings.TrimSpace(req.Query) == "" {
		err = errNoQuery
	}
	if err != nil {
		writeErrors(w, media, http.StatusBadRequest, err.Error(), "BAD_REQUEST")
		return
	}
	buf := h.getBuf()
	defer h.bufs.Put(buf)
	delivered := false
	deliver := func(b *bytes.Buffer) {
		delivered = true
		codeFetchErrors(b)
		h := w.Header()
		h.Set("Content-Type", media+"; charset=utf-8")
		// With its length known, the response goes out as it is rather
		// than in chunks.
		h.Set("Content-Length", strconv.Itoa(b.Len()))
		_, _ = w.Write(b.Bytes())
	}
	// The engine delivers the response itself, so that identical requests
	// arriving while it is written to this client can still share it.
	opts.Deliver = deliver
	var parts *deferred.Multipart
	if deferred.Accepts(r.Header.Get("Accept")) {
		parts = deferred.NewMultipart(w)
		opts.Incremental = parts
	}
	err = h.exec.Execute(r.Context(), req, r.Header, buf, opts)
	if parts != nil && parts.Started() {
		// An incremental response is under way: it ends with its closing
		// delimiter whatever happened (the engine wrote a last part).
		if err != nil && !errors.Is(err, context.Canceled) {
			h.logger.Error("execute deferred operation", "err", err)
		}
		_ = parts.Close()
		return
	}
	if err != nil {
		if re, ok := engine.AsRequestError(err); ok {
			h.writeRequestError(w, media, re)
			return
		}
		if errors.Is(err, context.Canceled) {
			return
		}
		if errors.Is(err, context.DeadlineExceeded) {
			writeErrors(w, media, http.StatusGatewayTimeout, "request timed out", "GATEWAY_TIMEOUT")
			return
		}
		h.logger.Error("execute operation", "err", err)
		writeErrors(w, media, http.StatusInternalServerError, "internal server error", "INTERNAL_SERVER_ERROR")
		return
	}
	if !delivered {
		deliver(buf)
	}
}

func (h *Handler) getBuf() *bytes.Buffer {
	if b, ok := h.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return bytes.NewBuffer(make([]byte, 0, 64*1024))
}

func (h *Handler) readPost(r *http.Request) (*engine.Request, json.RawMessage, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != mediaJSON && !strings.HasSuffix(mt, "+json")) {
			return nil, nil, errors.New("content type must be application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.opts.MaxRequestBytes+1))
	if err != nil {
		return nil, nil, errors.New("cannot read request body")
	}
	if int64(len(body)) > h.opts.MaxRequestBytes {
		return nil, nil, errors.New("request body too large")
	}
	// encoding/json would quietly turn invalid UTF-8 in strings into U+FFFD
	// and the raw variables would reach the subgraphs as they are: refuse
	// the request instead of running something the client did not send.
	if !utf8.Valid(body) {
		return nil, nil, errInvalidUTF8
	}
	var raw rawRequest
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, nil, errors.New("request body is not a valid JSON GraphQL request")
	}
	req, err := toRequest(raw)
	return req, raw.Extensions, err
}

func readGet(r *http.Request) (*engine.Request, json.RawMessage, error) {
	q := r.URL.Query()
	raw := rawRequest{}
	if q.Has("query") {
		s := q.Get("query")
		raw.Query = &s
	}
	if q.Has("operationName") {
		s := q.Get("operationName")
		raw.OperationName = &s
	}
	if v := q.Get("variables"); v != "" {
		raw.Variables = json.RawMessage(v)
	}
	if v := q.Get("extensions"); v != "" {
		raw.Extensions = json.RawMessage(v)
	}
	// Percent-decoding yields any bytes, e.g. %FF.
	for _, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, nil, errInvalidUTF8
			}
		}
	}
	req, err := toRequest(raw)
	return req, raw.Extensions, err
}

// errInvalidUTF8 rejects requests whose text is not valid UTF-8, which
// GraphQL documents and JSON must be.
var errInvalidUTF8 = errors.New("the request is not valid UTF-8")

// errNoQuery rejects requests whose query is still empty after the hook
// (a persisted-query hook may have filled it in from a hash).
var errNoQuery = errors.New("the request has no query")

func toRequest(raw rawRequest) (*engine.Request, error) {
	req := &engine.Request{}
	if raw.Query != nil {
		req.Query = *raw.Query
	}
	if raw.OperationName != nil {
		req.OperationName = *raw.OperationName
	}
	if v := bytes.TrimSpace(raw.Variables); len(v) > 0 && !bytes.Equal(v, []byte("null")) {
		if v[0] != '{' || !json.Valid(v) {
			return nil, errors.New("variables must be a JSON object")
		}
		req.Variables = v
	}
	return req, nil
}

// negotiate picks the response media type from the Accept header:
// application/graphql-response+json when the client lists it before
// application/json, application/json otherwise (the legacy default).
func negotiate(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON:
			return mediaJSON
		}
	}
	return mediaJSON
}

// requestErrorStatus maps a rejected operation to an HTTP status. With
// application/json every well-formed request gets 200 except unparsable
// documents; application/graphql-response+json uses 4xx for request errors.
func requestErrorStatus(media string, kind engine.ErrorKind) int {
	switch kind {
	case engine.KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case engine.KindParse:
		return http.StatusBadRequest
	case engine.KindUnauthenticated:
		return http.StatusUnauthorized
	}
	if media == mediaGraphQLResponse {
		if kind == engine.KindForbidden {
			return http.StatusForbidden
		}
		return http.StatusBadRequest
	}
	return http.StatusOK
}

func (h *Handler) writeRequestError(w http.ResponseWriter, media string, re *engine.RequestError) {
	status := requestErrorStatus(media, re.Kind)
	if re.Kind == engine.KindMethodNotAllowed {
		w.Header().Set("Allow", "POST")
	}
	if re.Kind == engine.KindUnauthenticated {
		w.Header().Set("WWW-Authenticate", "Bearer") // RFC 7235: a 401 names its scheme
	}
	body, err := json.Marshal(struct {
		Errors []engine.GraphQLError `json:"errors"`
	}{re.Errors})
	if err != nil {
		h.logger.Error("encode errors", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal server error"}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeErrors(w http.ResponseWriter, media string, status int, msg, code string) {
	body, _ := json.Marshal(struct {
		Errors []engine.GraphQLError `json:"errors"`
	}{[]engine.GraphQLError{{Message: msg, Extensions: map[string]any{"code": code}}}})
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

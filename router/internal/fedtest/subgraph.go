package fedtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// Request is one GraphQL request a subgraph received.
type Request struct {
	Query         string
	OperationName string
	Variables     map[string]any
	Header        http.Header
	// RootFields lists the root field names the operation selected (after
	// @skip/@include was applied by the caller, not by the subgraph), e.g.
	// ["_entities"]. It is empty when the request failed to parse.
	RootFields []string
}

// IsEntities reports whether the request was an _entities fetch.
func (r Request) IsEntities() bool {
	for _, f := range r.RootFields {
		if f == "_entities" {
			return true
		}
	}
	return false
}

// Representations returns the representations of an _entities request.
func (r Request) Representations() []any {
	for _, v := range r.Variables {
		if list, ok := v.([]any); ok && len(list) > 0 {
			if m, ok := list[0].(map[string]any); ok && m["__typename"] != nil {
				return list
			}
		}
	}
	return nil
}

// Subgraph is a federation subgraph served over HTTP. It is safe for
// concurrent use; resolvers must be too if the caller sends parallel requests.
type Subgraph struct {
	name      string
	sdl       string
	schema    *ast.Schema
	resolvers Resolvers

	mu       sync.Mutex
	requests []Request
	logf     func(format string, args ...any)
}

// SetLogger makes the subgraph log every request and response through logf
// (nil disables logging); fedserve uses it to debug plans by hand.
func (s *Subgraph) SetLogger(logf func(format string, args ...any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logf = logf
}

// NewSubgraph builds a subgraph from its SDL and resolvers. It fails when the
// SDL (plus federation definitions) is not a valid schema.
func NewSubgraph(name, sdl string, r Resolvers) (*Subgraph, error) {
	schema, _, err := buildSchema(sdl)
	if err != nil {
		return nil, fmt.Errorf("subgraph %s: %w", name, err)
	}
	return &Subgraph{name: name, sdl: sdl, schema: schema, resolvers: r}, nil
}

// Name returns the subgraph's name.
func (s *Subgraph) Name() string { return s.name }

// Requests returns a copy of the requests received so far.
func (s *Subgraph) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the recorded requests, e.g. between queries of one case.
func (s *Subgraph) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

type wireRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

type wireResponse struct {
	Data   any           `json:"data"`
	Errors gqlerror.List `json:"errors,omitempty"`
}

// ServeHTTP answers GraphQL POST requests with a JSON body.
func (s *Subgraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "only POST is supported", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	var req wireRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": gqlerror.List{codedError("invalid JSON body: "+err.Error(), "BAD_REQUEST")}})
		return
	}
	resp, roots := s.execute(req.Query, req.OperationName, req.Variables, r.Header)
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Query: req.Query, OperationName: req.OperationName, Variables: req.Variables,
		Header: r.Header.Clone(), RootFields: roots,
	})
	logf := s.logf
	s.mu.Unlock()
	if logf != nil {
		out, _ := json.Marshal(resp) //nolint:errcheck // logging only
		logf("[%s] %s %s\n  -> %s", s.name, req.Query, mustJSON(req.Variables), out)
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away; nothing to report to
}

func codedError(msg, code string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

// Execute parses, validates and runs one operation. It returns the response
// (serialisable to JSON with "data" and "errors") and the selected root field
// names.
func (s *Subgraph) Execute(query, operationName string, variables map[string]any) (any, []string) {
	return s.execute(query, operationName, variables, http.Header{})
}

func (s *Subgraph) execute(query, operationName string, variables map[string]any, header http.Header) (any, []string) {
	doc, errs := gqlparser.LoadQueryWithRules(s.schema, query, nil)
	if len(errs) > 0 {
		for _, e := range errs {
			if e.Extensions == nil {
				e.Extensions = map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}
			}
		}
		return map[string]any{"errors": errs}, nil
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		return map[string]any{"errors": gqlerror.List{codedError("unknown operation "+operationName, "OPERATION_RESOLUTION_FAILURE")}}, nil
	}
	vars, err := validator.VariableValues(s.schema, op, variables)
	if err != nil {
		return map[string]any{"errors": gqlerror.List{codedError(err.Error(), "BAD_USER_INPUT")}}, nil
	}
	ex := &executor{schema: s.schema, resolvers: s.resolvers, sdl: s.sdl, vars: vars, header: header, fragments: doc.Fragments}
	var roots []string
	for _, sel := range op.SelectionSet {
		if f, ok := sel.(*ast.Field); ok {
			roots = append(roots, f.Name)
		}
	}
	data := ex.execute(op)
	return wireResponse{Data: data, Errors: ex.errs}, roots
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

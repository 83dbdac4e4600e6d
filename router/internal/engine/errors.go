package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"
)

// ErrorKind classifies request errors so that the HTTP layer can pick a
// status code per the GraphQL-over-HTTP specification.
type ErrorKind int

const (
	// KindParse means the document could not be parsed.
	KindParse ErrorKind = iota + 1
	// KindValidation means the document is not valid against the schema.
	KindValidation
	// KindVariables means the variables do not match the operation.
	KindVariables
	// KindPlan means the operation cannot be satisfied by the subgraphs.
	KindPlan
	// KindMethodNotAllowed means a mutation arrived over GET.
	KindMethodNotAllowed
	// KindBadRequest means the request itself is malformed (e.g. unknown operation name).
	KindBadRequest
	// KindUnauthenticated means the request must carry verified claims
	// (authorization.require_authentication).
	KindUnauthenticated
	// KindForbidden means the operation selects fields the request may not
	// see and authorization.directives.reject_unauthorized is on.
	KindForbidden
)

// Location is a position in the GraphQL document.
type Location struct {
	Line   uint32 `json:"line"`
	Column uint32 `json:"column"`
}

// GraphQLError is one error in the GraphQL response shape.
type GraphQLError struct {
	Message    string         `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// RequestError is returned when an operation is rejected before execution.
// Its errors are meant to be sent to the client as they are.
type RequestError struct {
	Kind   ErrorKind
	Errors []GraphQLError
}

// Error joins the messages of the rejected request.
func (e *RequestError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, ge := range e.Errors {
		msgs[i] = ge.Message
	}
	return "request error: " + strings.Join(msgs, "; ")
}

// Extension codes follow Apollo's conventions so clients see familiar values.
const (
	codeParseFailed      = "GRAPHQL_PARSE_FAILED"
	codeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	codeBadUserInput     = "BAD_USER_INPUT"
	codeBadRequest       = "BAD_REQUEST"
	codeQueryPlanFailed  = "QUERY_PLANNING_FAILED"
)

func newRequestError(kind ErrorKind, code, format string, args ...any) *RequestError {
	return &RequestError{Kind: kind, Errors: []GraphQLError{{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": code},
	}}}
}

// reportError converts a graphql-go-tools report into a RequestError.
func reportError(kind ErrorKind, code string, report *operationreport.Report) *RequestError {
	out := &RequestError{Kind: kind}
	for _, ee := range report.ExternalErrors {
		ge := GraphQLError{Message: ee.Message, Extensions: map[string]any{"code": code}}
		if ee.ExtensionCode != "" {
			ge.Extensions["code"] = ee.ExtensionCode
		}
		for _, l := range ee.Locations {
			ge.Locations = append(ge.Locations, Location{Line: l.Line, Column: l.Column})
		}
		out.Errors = append(out.Errors, ge)
	}
	if len(out.Errors) == 0 {
		msg := "internal error"
		if len(report.InternalErrors) > 0 {
			msg = report.InternalErrors[0].Error()
		}
		out.Errors = append(out.Errors, GraphQLError{Message: msg, Extensions: map[string]any{"code": code}})
	}
	return out
}

// AsRequestError unwraps a RequestError.
func AsRequestError(err error) (*RequestError, bool) {
	var re *RequestError
	ok := errors.As(err, &re)
	return re, ok
}

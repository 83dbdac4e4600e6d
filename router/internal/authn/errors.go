package authn

import (
	"errors"
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

// Extension codes of refused requests.
const (
	// CodeUnauthenticated refuses a missing (when required), malformed,
	// invalid, expired or unknown-key token: HTTP 401.
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeUnavailable refuses a token while no key set could ever be
	// fetched: HTTP 503. It is not UNAUTHENTICATED because the token may
	// be valid, and clients commonly drop their session on that code.
	CodeUnavailable = "AUTHENTICATION_UNAVAILABLE"
)

// Error is a refused request: the HTTP status and the GraphQL error's
// message and extensions.code. Messages are meant for clients.
type Error struct {
	Status  int
	Code    string
	Message string
	cause   error
}

// Error returns the code and the message, e.g. "UNAUTHENTICATED: token expired".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the verification failure behind the refusal, if any.
func (e *Error) Unwrap() error { return e.cause }

func unauthenticated(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: msg}
}

// refusal turns a verification failure into the error the client sees:
// which check failed, without the parser's detail (that goes to the log).
func refusal(err error) *Error {
	msg := "invalid token"
	switch {
	case errors.Is(err, errUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: errUnavailable.Error() + "; retry later", cause: err}
	case errors.Is(err, jwt.ErrTokenExpired):
		msg = "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		msg = "token not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		msg = "token issued in the future"
	case errors.Is(err, jwt.ErrTokenMalformed):
		msg = "malformed token"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		msg = "invalid token signature"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		msg = "token without exp"
	case errors.Is(err, errAlgorithm), errors.Is(err, errUnknownKey), errors.Is(err, errAlgMismatch),
		errors.Is(err, errNoKey), errors.Is(err, errIssuer), errors.Is(err, errAudience):
		msg = err.Error()
	}
	e := unauthenticated(msg)
	e.cause = err
	return e
}

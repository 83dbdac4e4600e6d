// Package gqlerr builds GraphQL errors that carry extensions.code, so
// clients can branch on a stable code rather than on message text.
package gqlerr

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Codes used across the shop.
const (
	BadUserInput      = "BAD_USER_INPUT"
	Unauthenticated   = "UNAUTHENTICATED"
	Forbidden         = "FORBIDDEN"
	NotFound          = "NOT_FOUND"
	InsufficientStock = "INSUFFICIENT_STOCK"
	Conflict          = "CONFLICT"
	Unavailable       = "SERVICE_UNAVAILABLE"
	Internal          = "INTERNAL_SERVER_ERROR"
)

// New returns an error with the given code, positioned at the current field
// when ctx belongs to a resolver. Extra extension entries are optional.
func New(ctx context.Context, code, msg string, extra map[string]any) *gqlerror.Error {
	ext := map[string]any{"code": code}
	for k, v := range extra {
		ext[k] = v
	}
	e := &gqlerror.Error{Message: msg, Extensions: ext}
	if graphql.GetFieldContext(ctx) != nil {
		e.Path = graphql.GetPath(ctx)
	}
	return e
}

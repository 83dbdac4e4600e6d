package gqlguard

import (
	"context"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxMessageBytes bounds an error message. Parse and validation errors
// quote the client's tokens and values; cut, they can no longer send a
// megabyte of the request back.
const MaxMessageBytes = 256

// Present wraps an error presenter so that no message exceeds
// MaxMessageBytes.
func Present(next graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := next(ctx, err)
		if e != nil && len(e.Message) > MaxMessageBytes {
			e.Message = shorten(e.Message)
		}
		return e
	}
}

// shorten cuts msg to MaxMessageBytes at a character boundary and marks
// the cut.
func shorten(msg string) string {
	const mark = " [...]"
	cut := MaxMessageBytes - len(mark)
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + mark
}

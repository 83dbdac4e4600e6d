package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MarshalDateTime writes the DateTime scalar: RFC 3339 in UTC, with as
// many fractional digits as the time has (none for a whole second, so
// times stored to the second look as they did when the fields were
// Strings).
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano))) //nolint:errcheck // the response writer reports its own errors
	})
}

// UnmarshalDateTime reads the DateTime scalar: an RFC 3339 string with a
// time zone offset. Anything else is BAD_USER_INPUT.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, badDateTime(fmt.Sprintf("DateTime must be an RFC 3339 string such as 2026-12-02T12:00:00Z, got %T", v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badDateTime(fmt.Sprintf("DateTime must be an RFC 3339 string such as 2026-12-02T12:00:00Z, got %q", s))
	}
	return t.UTC(), nil
}

func badDateTime(msg string) error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": "BAD_USER_INPUT"}}
}

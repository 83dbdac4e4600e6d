// Package input checks the values both products domains take from callers
// (product ids, counts, list pages) and defines the one error every
// validation failure is, so that resolvers and HTTP handlers map bad input
// to BAD_USER_INPUT (or 400) in one place, whichever domain refused it.
package input

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// Limits shared by the catalog and the inventory. GraphQL's Int is 32-bit,
// so every count and price must fit in an int32, including a stock after
// a restock.
const (
	MaxInt      = math.MaxInt32
	DefaultTake = 20
	MaxTake     = 100
	MaxSkip     = 100_000
)

// ErrInvalid is wrapped by every validation failure (see Error).
var ErrInvalid = errors.New("invalid input")

// Error is a validation failure on one field.
type Error struct {
	Field  string
	Reason string
	// required marks a missing value (see Required).
	required bool
}

func (e *Error) Error() string { return e.Field + ": " + e.Reason }

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *Error) Unwrap() error { return ErrInvalid }

// Invalid returns the Error of field, its reason formatted from format
// and args.
func Invalid(field, format string, args ...any) error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Required returns the Error of a required field given empty.
func Required(field string) error {
	return &Error{Field: field, Reason: "is required", required: true}
}

// IsRequired reports whether err is the Error of a missing value.
func IsRequired(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.required
}

var objectIDRe = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// ID checks a product id (a MongoDB ObjectID in hex) and returns it in
// lower case.
func ID(field, id string) (string, error) {
	if !objectIDRe.MatchString(id) {
		return "", Invalid(field, "%q is not a valid id (24 hex characters)", truncate(id, 40))
	}
	return strings.ToLower(id), nil
}

// Count checks a price or quantity: between min and MaxInt.
func Count(field string, v, min int) error {
	if v < min {
		return Invalid(field, "must be at least %d (got %d)", min, v)
	}
	if v > MaxInt {
		return Invalid(field, "must be at most %d (got %d)", MaxInt, v)
	}
	return nil
}

// Page normalizes skip and take (nil means the default) for lists.
func Page(skip, take *int) (int, int, error) {
	s, t := 0, DefaultTake
	if skip != nil {
		s = *skip
	}
	if take != nil {
		t = *take
	}
	if s < 0 || s > MaxSkip {
		return 0, 0, Invalid("skip", "must be between 0 and %d (got %d)", MaxSkip, s)
	}
	if t < 1 || t > MaxTake {
		return 0, 0, Invalid("take", "must be between 1 and %d (got %d)", MaxTake, t)
	}
	return s, t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

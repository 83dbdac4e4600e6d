package accounts

import (
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Input limits. The password maximum is bcrypt's: it ignores every byte
// after the 72nd, so a longer password would silently be truncated.
const (
	MinUsernameLen = 3
	MaxUsernameLen = 32
	MinPasswordLen = 8
	MaxPasswordLen = 72
	MaxEmailLen    = 254
	// DefaultTake and MaxTake bound one page of the users list.
	DefaultTake = 20
	MaxTake     = 100
)

// ValidationError reports one invalid input field; it maps to BAD_USER_INPUT.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// NormalizeUsername returns the key that makes usernames unique: the
// name's NFKC form, lower-cased. NFKC maps compatibility characters to the
// letters they stand for (the Kelvin sign U+212A to K, fullwidth Ｋ to K,
// the ligature ﬁ to fi), so no such spelling has a key of its own; for the
// ASCII names ValidateUsername accepts, lower-casing is a complete case
// fold. Registration and login both compare names by this key.
func NormalizeUsername(username string) string {
	return strings.ToLower(norm.NFKC.String(username))
}

// LookAlike reports whether username is not itself a valid username but
// its NFKC form is one: a compatibility spelling (the Kelvin sign for K,
// fullwidth letters) of a plain ASCII name. Such a spelling is never a
// name of its own. Login refuses it like a wrong password, and
// registration reports it taken when the name it imitates exists.
func LookAlike(username string) bool {
	return ValidateUsername(username) != nil && ValidateUsername(norm.NFKC.String(username)) == nil
}

// ValidateUsername accepts 3-32 ASCII letters, digits, '_', '.' and '-'.
// Restricting to ASCII keeps look-alike names (Cyrillic "а" vs Latin "a")
// from impersonating each other.
func ValidateUsername(username string) error {
	if n := len(username); n < MinUsernameLen || n > MaxUsernameLen {
		return invalid("username", "must be %d to %d characters long", MinUsernameLen, MaxUsernameLen)
	}
	for _, r := range username {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			return invalid("username", "may contain only letters, digits, '_', '.' and '-'")
		}
	}
	return nil
}

// ValidatePassword accepts 8 to 72 bytes.
func ValidatePassword(password string) error {
	if len(password) < MinPasswordLen {
		return invalid("password", "must be at least %d characters long", MinPasswordLen)
	}
	if len(password) > MaxPasswordLen {
		return invalid("password", "must be at most %d bytes long", MaxPasswordLen)
	}
	return nil
}

// ValidateEmail accepts a bare address such as "ann@example.com": no
// display name, no surrounding spaces, at most 254 characters.
func ValidateEmail(email string) error {
	if len(email) > MaxEmailLen {
		return invalid("email", "must be at most %d characters long", MaxEmailLen)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return invalid("email", "is not a valid email address")
	}
	return nil
}

// Page resolves the optional skip and take of a list query: skip defaults
// to 0, take to DefaultTake and is capped at MaxTake; negatives are refused.
func Page(skip, take *int) (int, int, error) {
	s, t := 0, DefaultTake
	if skip != nil {
		s = *skip
	}
	if take != nil {
		t = *take
	}
	if s < 0 {
		return 0, 0, invalid("skip", "must not be negative")
	}
	if t < 0 {
		return 0, 0, invalid("take", "must not be negative")
	}
	return s, min(t, MaxTake), nil
}

// Package diag holds composition diagnostics: errors that carry Apollo's
// composition error codes so that tooling and people can match them against
// Apollo's documentation, and lists of them so every problem is reported at once.
package diag

import (
	"sort"
	"strings"
)

// Error is one composition problem. Code is Apollo's error code (for example
// FIELD_TYPE_MISMATCH); Subgraph and Coordinate locate it when known, so that a
// reader can go straight to the offending schema element.
type Error struct {
	Code       string
	Subgraph   string
	Coordinate string
	Message    string
}

// Error renders the problem on one line, code first, as CI logs show it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	b.WriteString(": ")
	if e.Subgraph != "" && !strings.HasPrefix(e.Message, "[") {
		b.WriteString("[" + e.Subgraph + "] ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// List collects every problem found so composition can report them all
// together instead of stopping at the first one.
type List []*Error

// Add appends a new error built from its parts.
func (l *List) Add(code, subgraph, coordinate, message string) {
	*l = append(*l, &Error{Code: code, Subgraph: subgraph, Coordinate: coordinate, Message: message})
}

// Error joins the messages one per line.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Codes returns the distinct error codes, sorted, which is what the
// differential tests compare with Apollo's output.
func (l List) Codes() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range l {
		if !seen[e.Code] {
			seen[e.Code] = true
			out = append(out, e.Code)
		}
	}
	sort.Strings(out)
	return out
}

// Err returns the list as an error, or nil when it is empty, so callers can
// write `return l.Err()` without the typed-nil pitfall.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Limits of product data (the limits the catalog shares with the
// inventory are in package input).
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 5000
	MaxSearchLen      = 100
)

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return "", input.Invalid("name", "must be valid UTF-8")
	case n == 0:
		return "", input.Invalid("name", "must not be empty")
	case n > MaxNameLen:
		return "", input.Invalid("name", "must be at most %d characters (got %d)", MaxNameLen, n)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", input.Invalid("name", "must not contain control characters")
	}
	return name, nil
}

func validDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if !utf8.ValidString(d) {
		return "", input.Invalid("description", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(d); n > MaxDescriptionLen {
		return "", input.Invalid("description", "must be at most %d characters (got %d)", MaxDescriptionLen, n)
	}
	return d, nil
}

// ValidList checks a list query.
func ValidList(skip, take *int, search *string) (ListQuery, error) {
	s, t, err := input.Page(skip, take)
	if err != nil {
		return ListQuery{}, err
	}
	q := ListQuery{Skip: s, Take: t}
	if search != nil {
		q.Search = strings.TrimSpace(*search)
		if utf8.RuneCountInString(q.Search) > MaxSearchLen {
			return ListQuery{}, input.Invalid("search", "must be at most %d characters", MaxSearchLen)
		}
	}
	return q, nil
}

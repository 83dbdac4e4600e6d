package catalog

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Limits of the catalog and of the inventory (the limits both share are
// in package input).
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 5000
	MaxSearchLen      = 100
	MaxLines          = 100
	MaxOrderIDLen     = 64
)

var orderIDRe = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

func validOrderID(id string) error {
	if id == "" || len(id) > MaxOrderIDLen || !orderIDRe.MatchString(id) {
		return input.Invalid("orderId", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

func validIdempotencyKey(key string) error {
	if len(key) > MaxOrderIDLen || !orderIDRe.MatchString(key) {
		return input.Invalid("idempotencyKey", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

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

// normalizeLines validates an order's lines and merges lines of the same
// product, sorted by product id, so an order holds one ledger entry per
// product and kind (which the idempotency index requires).
func normalizeLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 {
		return nil, input.Invalid("lines", "must not be empty")
	}
	if len(lines) > MaxLines {
		return nil, input.Invalid("lines", "must have at most %d lines (got %d)", MaxLines, len(lines))
	}
	sum := map[string]int{}
	for i, l := range lines {
		id, err := input.ID("lines["+strconv.Itoa(i)+"].productId", l.ProductID)
		if err != nil {
			return nil, err
		}
		if err := input.Count("lines["+strconv.Itoa(i)+"].quantity", l.Quantity, 1); err != nil {
			return nil, err
		}
		sum[id] += l.Quantity
		if sum[id] > input.MaxInt {
			return nil, input.Invalid("lines", "quantity of product %s exceeds %d", id, input.MaxInt)
		}
	}
	out := make([]Line, 0, len(sum))
	for id, q := range sum {
		out = append(out, Line{ProductID: id, Quantity: q})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProductID < out[j].ProductID })
	return out, nil
}

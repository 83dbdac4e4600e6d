package catalog

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the catalog. GraphQL's Int is 32-bit, so every count and price
// must fit in an int32, including a stock after a restock.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 5000
	MaxSearchLen      = 100
	MaxInt            = math.MaxInt32
	DefaultTake       = 20
	MaxTake           = 100
	MaxSkip           = 100_000
	MaxLines          = 100
	MaxOrderIDLen     = 64
)

var (
	objectIDRe = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)
	orderIDRe  = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
)

// ValidID checks a product id (a MongoDB ObjectID in hex) and returns it in
// lower case.
func ValidID(field, id string) (string, error) {
	if !objectIDRe.MatchString(id) {
		return "", invalid(field, "%q is not a valid id (24 hex characters)", truncate(id, 40))
	}
	return strings.ToLower(id), nil
}

func validOrderID(id string) error {
	if id == "" || len(id) > MaxOrderIDLen || !orderIDRe.MatchString(id) {
		return invalid("orderId", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

func validIdempotencyKey(key string) error {
	if len(key) > MaxOrderIDLen || !orderIDRe.MatchString(key) {
		return invalid("idempotencyKey", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return "", invalid("name", "must be valid UTF-8")
	case n == 0:
		return "", invalid("name", "must not be empty")
	case n > MaxNameLen:
		return "", invalid("name", "must be at most %d characters (got %d)", MaxNameLen, n)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalid("name", "must not contain control characters")
	}
	return name, nil
}

func validDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if !utf8.ValidString(d) {
		return "", invalid("description", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(d); n > MaxDescriptionLen {
		return "", invalid("description", "must be at most %d characters (got %d)", MaxDescriptionLen, n)
	}
	return d, nil
}

// validCount checks a price or quantity: between min and MaxInt.
func validCount(field string, v, min int) error {
	if v < min {
		return invalid(field, "must be at least %d (got %d)", min, v)
	}
	if v > MaxInt {
		return invalid(field, "must be at most %d (got %d)", MaxInt, v)
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
		return 0, 0, invalid("skip", "must be between 0 and %d (got %d)", MaxSkip, s)
	}
	if t < 1 || t > MaxTake {
		return 0, 0, invalid("take", "must be between 1 and %d (got %d)", MaxTake, t)
	}
	return s, t, nil
}

// ValidList checks a list query.
func ValidList(skip, take *int, search *string) (ListQuery, error) {
	s, t, err := Page(skip, take)
	if err != nil {
		return ListQuery{}, err
	}
	q := ListQuery{Skip: s, Take: t}
	if search != nil {
		q.Search = strings.TrimSpace(*search)
		if utf8.RuneCountInString(q.Search) > MaxSearchLen {
			return ListQuery{}, invalid("search", "must be at most %d characters", MaxSearchLen)
		}
	}
	return q, nil
}

// normalizeLines validates an order's lines and merges lines of the same
// product, sorted by product id, so an order holds one ledger entry per
// product and kind (which the idempotency index requires).
func normalizeLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 {
		return nil, invalid("lines", "must not be empty")
	}
	if len(lines) > MaxLines {
		return nil, invalid("lines", "must have at most %d lines (got %d)", MaxLines, len(lines))
	}
	sum := map[string]int{}
	for i, l := range lines {
		id, err := ValidID("lines["+strconv.Itoa(i)+"].productId", l.ProductID)
		if err != nil {
			return nil, err
		}
		if err := validCount("lines["+strconv.Itoa(i)+"].quantity", l.Quantity, 1); err != nil {
			return nil, err
		}
		sum[id] += l.Quantity
		if sum[id] > MaxInt {
			return nil, invalid("lines", "quantity of product %s exceeds %d", id, MaxInt)
		}
	}
	out := make([]Line, 0, len(sum))
	for id, q := range sum {
		out = append(out, Line{ProductID: id, Quantity: q})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProductID < out[j].ProductID })
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
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

// Limits of variants, attributes and images.
const (
	MaxSKULen            = 64
	MaxAttributes        = 50
	MaxAttributeNameLen  = 100
	MaxAttributeValueLen = 500
	MaxImages            = 20
	MaxImageURLLen       = 2048
	MaxImageAltLen       = 500
	// maxVariantsPerProduct counts the default variant.
	maxVariantsPerProduct = 100
)

// ErrDuplicateSKU means another variant holds the SKU.
var ErrDuplicateSKU = errors.New("sku already used by another variant")

var skuRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-/]*$`)

func validSKU(field, sku string) (string, error) {
	sku = strings.TrimSpace(sku)
	switch {
	case sku == "":
		return "", input.Required(field)
	case len(sku) > MaxSKULen:
		return "", input.Invalid(field, "must be at most %d characters", MaxSKULen)
	case !skuRe.MatchString(sku):
		return "", input.Invalid(field, "must start with a letter or digit and hold only letters, digits, '.', '_', '-' or '/'")
	}
	return sku, nil
}

// validText checks a one-line text of at most max characters.
func validText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "", input.Invalid(field, "must be valid UTF-8")
	case n == 0 && required:
		return "", input.Required(field)
	case n > max:
		return "", input.Invalid(field, "must be at most %d characters (got %d)", max, n)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", input.Invalid(field, "must not contain control characters")
	}
	return s, nil
}

// validPrice checks a price in minor units: stored as int64, but at most
// input.MaxInt, since order lines carry unit prices as GraphQL Int.
func validPrice(field string, v int64) error {
	if v < 0 || v > input.MaxInt {
		return input.Invalid(field, "must be between 0 and %d (got %d)", input.MaxInt, v)
	}
	return nil
}

func validAttributes(field string, as []Attribute) ([]Attribute, error) {
	if len(as) > MaxAttributes {
		return nil, input.Invalid(field, "at most %d attributes", MaxAttributes)
	}
	seen := map[string]bool{}
	out := make([]Attribute, 0, len(as))
	for i, a := range as {
		f := fmt.Sprintf("%s[%d]", field, i)
		name, err := validText(f+".name", a.Name, MaxAttributeNameLen, true)
		if err != nil {
			return nil, err
		}
		value, err := validText(f+".value", a.Value, MaxAttributeValueLen, false)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, input.Invalid(f+".name", "%q is given twice", name)
		}
		seen[key] = true
		out = append(out, Attribute{Name: name, Value: value})
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// validImages checks image URLs: absolute https URLs with a host.
func validImages(field string, is []Image) ([]Image, error) {
	if len(is) > MaxImages {
		return nil, input.Invalid(field, "at most %d images", MaxImages)
	}
	out := make([]Image, 0, len(is))
	for i, im := range is {
		f := fmt.Sprintf("%s[%d]", field, i)
		raw := strings.TrimSpace(im.URL)
		if raw == "" {
			return nil, input.Required(f + ".url")
		}
		if len(raw) > MaxImageURLLen {
			return nil, input.Invalid(f+".url", "must be at most %d characters", MaxImageURLLen)
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(raw, " \t\r\n") {
			return nil, input.Invalid(f+".url", "must be an absolute https URL")
		}
		alt, err := validText(f+".alt", im.Alt, MaxImageAltLen, false)
		if err != nil {
			return nil, err
		}
		out = append(out, Image{URL: u.String(), Alt: alt})
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

package catalog

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// SortField orders a page of products.
type SortField string

// Sort fields: each has an index (deletedAt, field, _id) on the store.
const (
	SortName    SortField = "name"
	SortPrice   SortField = "price"
	SortCreated SortField = "createdAt"
	// SortStock orders by the denormalized available figure (Product.Listed).
	SortStock SortField = "available"
)

// MaxPage is the largest page a connection serves; larger are refused.
const MaxPage = 100

// DefaultPage is the page size when neither first nor last is given.
const DefaultPage = 20

// Filter narrows a page of products. CategoryIDs nil means any category;
// a non-nil empty list matches nothing (an unknown category).
type Filter struct {
	CategoryIDs []string
	PriceGTE    *int64
	PriceLTE    *int64
	Search      string
	// InStock nil means any; true keeps products with units available
	// (across every variant), false the sold-out ones.
	InStock *bool
}

// Cursor is a position in a sorted list: the sort key of a product and
// its id, which breaks ties, so a cursor stays valid when products are
// added before or after it.
type Cursor struct {
	Field SortField `json:"f"`
	Name  string    `json:"n,omitempty"`
	Price int64     `json:"p,omitempty"`
	At    time.Time `json:"t,omitzero"`
	Stock int64     `json:"s,omitempty"`
	ID    string    `json:"id"`
}

// CursorOf returns the cursor of p in a list sorted by field.
func CursorOf(field SortField, p Product) Cursor {
	c := Cursor{Field: field, ID: p.ID}
	switch field {
	case SortName:
		c.Name = p.Name
	case SortPrice:
		c.Price = int64(p.Price)
	case SortCreated:
		c.At = p.CreatedAt
	case SortStock:
		c.Stock = int64(p.Listed)
	}
	return c
}

// Encode returns the cursor's opaque form: base64url of its JSON.
func (c Cursor) Encode() string {
	raw, _ := json.Marshal(c) //nolint:errcheck // a struct of strings, ints and a time always encodes
	return base64.RawURLEncoding.EncodeToString(raw)
}

// DecodeCursor reads a cursor of a list sorted by field.
func DecodeCursor(field, s string, sort SortField) (*Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 1024 {
		return nil, input.Invalid(field, "is not a valid cursor")
	}
	var c Cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, input.Invalid(field, "is not a valid cursor")
	}
	if _, err := input.ID(field, c.ID); err != nil {
		return nil, input.Invalid(field, "is not a valid cursor")
	}
	if c.Field != sort {
		return nil, input.Invalid(field, "is a cursor of another sort order")
	}
	return &c, nil
}

// PageQuery selects a page of products on sale.
type PageQuery struct {
	Filter Filter
	Sort   SortField
	Desc   bool
	// First (with After) pages forward, Last (with Before) backward.
	First, Last   int
	After, Before *Cursor
}

// Page is a page of products and where it lies in the whole list.
type Page struct {
	Products        []Product
	HasNextPage     bool
	HasPreviousPage bool
	TotalCount      int
}

// PageArgs are a connection's raw arguments.
type PageArgs struct {
	First, Last   *int
	After, Before *string
}

// ValidPage checks connection arguments and fills q's paging fields.
func ValidPage(a PageArgs, q *PageQuery) error {
	switch {
	case a.First != nil && a.Last != nil:
		return input.Invalid("last", "give first or last, not both")
	case a.First != nil && (*a.First < 0 || *a.First > MaxPage):
		return input.Invalid("first", "must be between 0 and %d (the maximum page size)", MaxPage)
	case a.Last != nil && (*a.Last < 0 || *a.Last > MaxPage):
		return input.Invalid("last", "must be between 0 and %d (the maximum page size)", MaxPage)
	}
	q.First = DefaultPage
	if a.First != nil {
		q.First = *a.First
	}
	if a.Last != nil {
		q.First, q.Last = 0, *a.Last
	}
	var err error
	if a.After != nil {
		if q.After, err = DecodeCursor("after", *a.After, q.Sort); err != nil {
			return err
		}
	}
	if a.Before != nil {
		if q.Before, err = DecodeCursor("before", *a.Before, q.Sort); err != nil {
			return err
		}
	}
	return nil
}

// ValidFilter checks a filter's text and price range.
func ValidFilter(f *Filter) error {
	f.Search = strings.TrimSpace(f.Search)
	if utf8.RuneCountInString(f.Search) > MaxSearchLen {
		return input.Invalid("filter.search", "must be at most %d characters", MaxSearchLen)
	}
	for name, v := range map[string]*int64{"filter.priceRange.gte": f.PriceGTE, "filter.priceRange.lte": f.PriceLTE} {
		if v != nil && *v < 0 {
			return input.Invalid(name, "must be 0 or more")
		}
	}
	if f.PriceGTE != nil && f.PriceLTE != nil && *f.PriceGTE > *f.PriceLTE {
		return input.Invalid("filter.priceRange", "gte must not be more than lte")
	}
	return nil
}

// Page returns a page of products on sale.
func (s *Service) Page(ctx context.Context, q PageQuery) (Page, error) {
	p, err := s.store.PageProducts(ctx, q)
	if err != nil {
		return Page{}, fmt.Errorf("page products: %w", err)
	}
	return p, nil
}

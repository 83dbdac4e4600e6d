package ordering

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Page sizes of an order connection.
const (
	// MaxPage is the largest page a connection serves; a larger first or
	// last is refused, never cut down silently.
	MaxPage = 100
	// DefaultPage is the page size when neither first nor last is given.
	DefaultPage = 20
)

// SortField is what an order connection is sorted by.
type SortField string

// Sort fields; ties are broken by order id in the same direction.
const (
	SortCreated SortField = "CREATED"
	SortTotal   SortField = "TOTAL"
)

// Filter selects orders; zero fields match everything.
type Filter struct {
	Status Status
	UserID string
	// From and To bound createdAt, both included; nil leaves a side open.
	From, To *time.Time
}

// Matches reports whether o passes f (used on merged orders, whose status
// may be newer than the snapshot a store filtered on).
func (f Filter) Matches(o Order) bool {
	switch {
	case f.Status != "" && o.Status != f.Status,
		f.UserID != "" && o.UserID != f.UserID,
		f.From != nil && o.CreatedAt.Before(*f.From),
		f.To != nil && o.CreatedAt.After(*f.To):
		return false
	}
	return true
}

// Cursor is a position in a sorted order list: the sort key of an order
// and its id. Key is createdAt in Unix milliseconds (the store's
// precision) for SortCreated, the total in minor units for SortTotal.
type Cursor struct {
	Sort SortField
	Key  int64
	ID   string
	// Seq is the order's entry number in its user's history when the
	// page was read from it (a customer's own orders by CREATED), else 0.
	Seq int64
}

// CursorOf returns the cursor of o in a list sorted by field.
func CursorOf(field SortField, o Order) Cursor {
	c := Cursor{Sort: field, ID: o.ID}
	if field == SortTotal {
		c.Key = o.Total
	} else {
		c.Key = o.CreatedAt.UnixMilli()
	}
	return c
}

// Encode returns the cursor's opaque form: base64url of
// "<sort>:<key>:<id>", with ":<seq>" for a history cursor.
func (c Cursor) Encode() string {
	s := string(c.Sort) + ":" + strconv.FormatInt(c.Key, 10) + ":" + c.ID
	if c.Seq > 0 {
		s += ":" + strconv.FormatInt(c.Seq, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeCursor parses an opaque cursor made for a list sorted by field;
// anything else (malformed, or made for another sort) is an *InputError.
func DecodeCursor(field SortField, arg, s string) (Cursor, error) {
	bad := &InputError{Msg: fmt.Sprintf("%s is not a cursor of this connection sorted by %s", arg, field), Code: ReasonInvalid, Field: arg}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) < 3 || len(parts) > 4 || SortField(parts[0]) != field {
		return Cursor{}, bad
	}
	key, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Cursor{}, bad
	}
	if _, err := primitive.ObjectIDFromHex(parts[2]); err != nil {
		return Cursor{}, bad
	}
	c := Cursor{Sort: field, Key: key, ID: parts[2]}
	if len(parts) == 4 {
		if c.Seq, err = strconv.ParseInt(parts[3], 10, 64); err != nil || c.Seq < 1 {
			return Cursor{}, bad
		}
	}
	return c, nil
}

// PageQuery asks a store for one page: orders matching Filter, sorted by
// Sort (descending when Desc), strictly after After when set, at most
// Limit. Backward pages are asked as forward pages in the opposite
// direction (see Service.Connection).
type PageQuery struct {
	Filter Filter
	Sort   SortField
	Desc   bool
	After  *Cursor
	Limit  int
	// history lets the page come from the user's history (fromHistory).
	history bool
}

// PageArgs are a connection's arguments as the caller sent them.
type PageArgs struct {
	First, Last   *int
	After, Before *string
	Filter        Filter
	Sort          SortField
	Desc          bool
}

// Connection is one page of orders.
type Connection struct {
	Orders          []Order
	Cursors         []Cursor
	HasNextPage     bool
	HasPreviousPage bool
	TotalCount      int
}

// Connection returns one page of orders: the caller's own, or every
// user's for an admin (the admin key or MANAGE_ORDERS). A customer who
// names another user in the filter gets ErrForbidden. A customer's page
// of their orders by creation is read from their history by point reads;
// every other page is one indexed range query of at most MaxPage+1 orders
// plus a count. Either way its cost follows the page size.
func (s *Service) Connection(ctx context.Context, c Caller, a PageArgs) (Connection, error) {
	if c.UserID == "" && !c.Admin {
		return Connection{}, ErrUnauthenticated
	}
	if !c.Admin {
		if a.Filter.UserID != "" && a.Filter.UserID != c.UserID {
			return Connection{}, ErrForbidden
		}
		a.Filter.UserID = c.UserID
	}
	q, backward, err := pageQuery(a)
	if err != nil {
		return Connection{}, err
	}
	// A customer's own orders by creation come from their history by
	// point reads; staff lists use the indexes.
	q.history = !c.Admin
	return s.page(ctx, q, backward, a)
}

// pageQuery checks the paging arguments and turns them into a store query.
func pageQuery(a PageArgs) (PageQuery, bool, error) {
	if a.Sort == "" {
		a.Sort = SortCreated
	}
	if a.First != nil && a.Last != nil {
		return PageQuery{}, false, &InputError{Msg: "give first or last, not both", Code: ReasonInvalid, Field: "last"}
	}
	for _, n := range []struct {
		name string
		v    *int
	}{{"first", a.First}, {"last", a.Last}} {
		if n.v == nil {
			continue
		}
		if *n.v < 0 || *n.v > MaxPage {
			return PageQuery{}, false, &InputError{Msg: fmt.Sprintf("%s must be between 0 and %d (the maximum page size), got %d", n.name, MaxPage, *n.v), Code: ReasonInvalid, Field: n.name}
		}
	}
	if f := a.Filter; f.From != nil && f.To != nil && f.From.After(*f.To) {
		return PageQuery{}, false, &InputError{Msg: "filter.createdAt.gte is after filter.createdAt.lte", Code: ReasonInvalid, Field: "filter.createdAt"}
	}
	q := PageQuery{Filter: a.Filter, Sort: a.Sort, Desc: a.Desc, Limit: DefaultPage}
	backward := a.Last != nil || (a.First == nil && a.Before != nil)
	if a.First != nil {
		q.Limit = *a.First
	}
	if a.Last != nil {
		q.Limit = *a.Last
	}
	// A backward page is a forward page in the opposite direction,
	// starting at before; after, if given too, only narrows it.
	from := a.After
	if backward {
		q.Desc = !q.Desc
		from = a.Before
	}
	if from != nil {
		name := "after"
		if backward {
			name = "before"
		}
		cur, err := DecodeCursor(q.Sort, name, *from)
		if err != nil {
			return PageQuery{}, false, err
		}
		q.After = &cur
	}
	return q, backward, nil
}

// page runs q and shapes the result as a connection page.
func (s *Service) page(ctx context.Context, q PageQuery, backward bool, a PageArgs) (Connection, error) {
	// The other end of a two-sided range (after and before together).
	var stop *Cursor
	name, other := "before", a.Before
	if backward {
		name, other = "after", a.After
	}
	if other != nil {
		c, err := DecodeCursor(q.Sort, name, *other)
		if err != nil {
			return Connection{}, err
		}
		stop = &c
	}
	var (
		items []PageItem
		more  bool
		total int
		err   error
	)
	if fromHistory(q, stop) {
		items, more, total, err = s.store.HistoryPage(ctx, q.Filter.UserID, q)
		if err != nil {
			return Connection{}, fmt.Errorf("order connection: %w", err)
		}
	} else {
		if q.Limit > 0 {
			if items, more, err = s.store.Page(ctx, q); err != nil {
				return Connection{}, fmt.Errorf("order connection: %w", err)
			}
		}
		if total, err = s.store.Count(ctx, q.Filter); err != nil {
			return Connection{}, fmt.Errorf("order connection: %w", err)
		}
	}
	out := Connection{TotalCount: total}
	for _, it := range items {
		if stop != nil && !precedes(q.Desc, it.Cursor, *stop) {
			// The order at the other cursor follows.
			more = true
			break
		}
		// The store filtered on the order document's snapshot; a
		// transition taken since may have moved the order out.
		if !q.Filter.Matches(it.Order) {
			continue
		}
		out.Orders = append(out.Orders, it.Order)
		out.Cursors = append(out.Cursors, it.Cursor)
	}
	if backward {
		slices.Reverse(out.Orders)
		slices.Reverse(out.Cursors)
		out.HasPreviousPage = more
		// The order at before comes after this page.
		out.HasNextPage = a.Before != nil
	} else {
		out.HasNextPage = more
		// The order at after comes before this page.
		out.HasPreviousPage = a.After != nil
	}
	return out, nil
}

// fromHistory reports whether q is one user's orders by creation alone,
// which the user's history serves by point reads (the embedded store
// would scan for the indexed query): Connection asks it so for customers.
// A cursor made by the indexed query (no entry number) and a two-sided
// range keep to the indexed query.
func fromHistory(q PageQuery, stop *Cursor) bool {
	f := q.Filter
	return q.history && q.Sort == SortCreated && f.UserID != "" && f.Status == "" && f.From == nil && f.To == nil &&
		(q.After == nil || q.After.Seq > 0) && stop == nil
}

// PageItem is one order of a page with its cursor. The store makes the
// cursor from the document it sorted on, so paging stays consistent even
// when the merged order shows a newer total.
type PageItem struct {
	Order  Order
	Cursor Cursor
}

// precedes reports whether a comes strictly before b in a list sorted
// descending (desc) or ascending.
func precedes(desc bool, a, b Cursor) bool {
	if desc {
		a, b = b, a
	}
	return a.Key < b.Key || (a.Key == b.Key && a.ID < b.ID)
}

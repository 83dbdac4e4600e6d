package accounts

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
)

// MaxPage is the largest page usersConnection returns; DefaultPage is the
// page size when the caller names none.
const (
	MaxPage     = 100
	DefaultPage = 20
)

// SortField is what a users page is sorted by.
type SortField string

// Sort fields: the normalized username, or registration time (then id).
const (
	SortUsername SortField = "USERNAME"
	SortCreated  SortField = "CREATED"
)

// PageQuery asks for one page of users. Exactly one direction is used:
// First/After page forward, Last/Before backward (in sort order).
type PageQuery struct {
	First, Last   *int
	After, Before *string
	// Search is a username prefix, matched on the normalized name.
	Search string
	// Staff, when set, picks staff (true) or customers (false).
	Staff *bool
	Sort  SortField
	Desc  bool
}

// Cursor is a position in a sort order: the sort key of a user and its id.
type Cursor struct {
	Field SortField
	// Username is the normalized username (SortUsername).
	Username string
	// Created is the registration time (SortCreated).
	Created time.Time
	ID      string
}

// PageRequest is what the store needs: the filter, the order, where to
// start (exclusive) and how many users to read.
type PageRequest struct {
	Search string
	Staff  *bool
	Sort   SortField
	// Desc is the order the store reads in (already flipped for a
	// backward page).
	Desc  bool
	After *Cursor
	Limit int
}

// UserPage is one page of users, in the requested order.
type UserPage struct {
	Users            []User
	Cursors          []string
	HasNext, HasPrev bool
	Total            int
}

// Encode returns the opaque form of c: base64url of the sort field, the
// sort key and the id.
func (c Cursor) Encode() string {
	key := c.Username
	if c.Field == SortCreated {
		key = strconv.FormatInt(c.Created.UnixMilli(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(string(c.Field) + "\x00" + key + "\x00" + c.ID))
}

// decodeCursor parses a cursor of sort field f.
func decodeCursor(s string, f SortField, field string) (*Cursor, error) {
	bad := invalid(field, "is not a cursor of this sort order")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || SortField(parts[0]) != f || parts[2] == "" {
		return nil, bad
	}
	c := &Cursor{Field: f, ID: parts[2]}
	if f == SortCreated {
		ms, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return nil, bad
		}
		c.Created = time.UnixMilli(ms).UTC()
	} else {
		c.Username = parts[1]
	}
	return c, nil
}

// CursorOf returns the cursor of u in sort order f.
func CursorOf(u User, f SortField) Cursor {
	return Cursor{Field: f, Username: NormalizeUsername(u.Username), Created: u.CreatedAt, ID: u.ID}
}

// ListPage returns a page of users to a caller with MANAGE_USERS. Sizes
// above MaxPage, negative sizes, both directions at once and malformed
// cursors are *ValidationError; nothing is truncated silently.
func (s *Service) ListPage(ctx context.Context, p auth.Principal, q PageQuery) (UserPage, error) {
	if err := Require(p, auth.ScopeManageUsers); err != nil {
		return UserPage{}, err
	}
	if q.Sort != SortUsername && q.Sort != SortCreated {
		return UserPage{}, invalid("sortBy.field", "must be USERNAME or CREATED")
	}
	backward := q.Last != nil || q.Before != nil
	if backward && (q.First != nil || q.After != nil) {
		return UserPage{}, invalid("first", "first/after and last/before cannot be combined")
	}
	size, sizeField, curField, cur := DefaultPage, "first", "after", q.After
	if n := q.First; n != nil {
		size = *n
	}
	if backward {
		sizeField, curField, cur = "last", "before", q.Before
		if n := q.Last; n != nil {
			size = *n
		}
	}
	if size < 0 || size > MaxPage {
		return UserPage{}, invalid(sizeField, "must be between 0 and %d (the maximum page size)", MaxPage)
	}
	req := PageRequest{Search: NormalizeUsername(q.Search), Staff: q.Staff, Sort: q.Sort, Desc: q.Desc != backward, Limit: size + 1}
	if cur != nil {
		c, err := decodeCursor(*cur, q.Sort, curField)
		if err != nil {
			return UserPage{}, err
		}
		req.After = c
	}
	var users []User
	var err error
	if size > 0 {
		if users, err = s.store.Page(ctx, req); err != nil {
			return UserPage{}, fmt.Errorf("list users: %w", err)
		}
	}
	total, err := s.store.Count(ctx, req.Search, req.Staff)
	if err != nil {
		return UserPage{}, fmt.Errorf("count users: %w", err)
	}
	more := len(users) > size
	if more {
		users = users[:size]
	}
	out := UserPage{Users: users, Total: total, HasNext: more, HasPrev: cur != nil}
	if backward {
		for i, j := 0, len(users)-1; i < j; i, j = i+1, j-1 {
			users[i], users[j] = users[j], users[i]
		}
		out.HasNext, out.HasPrev = cur != nil, more
	}
	for _, u := range users {
		out.Cursors = append(out.Cursors, CursorOf(u, q.Sort).Encode())
	}
	return out, nil
}

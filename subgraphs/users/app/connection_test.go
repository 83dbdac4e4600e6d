package app

import (
	"fmt"
	"strings"
	"testing"
)

const connQ = `query($first: Int, $after: String, $last: Int, $before: String, $filter: UsersFilter, $sort: UsersSort) {
  usersConnection(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sort) {
    edges { cursor node { username } } nodes { username }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`

type connection struct {
	Edges []struct {
		Cursor string
		Node   struct{ Username string }
	}
	Nodes    []struct{ Username string }
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	TotalCount int
}

func names(c connection) string {
	var out []string
	for i, e := range c.Edges {
		if c.Nodes[i].Username != e.Node.Username {
			return "edges and nodes differ"
		}
		out = append(out, e.Node.Username)
	}
	return strings.Join(out, ",")
}

// TestUsersConnection pages through users forward and backward in both
// sort orders and with filters, for MANAGE_USERS only; refuses oversized
// pages, malformed or foreign cursors and mixed directions with
// BAD_USER_INPUT; and keeps its place when users register between pages.
func TestUsersConnection(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	admin := map[string]string{"x-api-key": in.Config.AdminAPIKey}
	var customer session
	for i, name := range []string{"Carol", "alice", "eve", "Bob", "dave"} {
		s := register(t, in.URL, name, "password", nil)
		if i == 0 {
			customer = s
		}
	}
	for _, name := range []string{"staff-b", "staff-a"} {
		gql(t, in.URL, staffCreateOp, staffInput(name, "MANAGE_USERS"), admin)
	}
	page := func(vars map[string]any, h map[string]string) connection {
		t.Helper()
		return decode[struct{ UsersConnection connection }](t, gql(t, in.URL, connQ, vars, h)).UsersConnection
	}

	// Forward by registration time, two at a time, following endCursor.
	var all []string
	vars := map[string]any{"first": 2}
	for i := 0; ; i++ {
		c := page(vars, admin)
		if c.TotalCount != 7 || c.PageInfo.HasPreviousPage != (i > 0) {
			t.Fatalf("page %d: %+v", i, c)
		}
		all = append(all, names(c))
		if !c.PageInfo.HasNextPage {
			break
		}
		vars = map[string]any{"first": 2, "after": *c.PageInfo.EndCursor}
	}
	if got := strings.Join(all, "|"); got != "Carol,alice|eve,Bob|dave,staff-b|staff-a" {
		t.Fatalf("pages by CREATED: %s", got)
	}

	// Backward by username, descending: last 3 of the order are the smallest names.
	desc := map[string]any{"field": "USERNAME", "direction": "DESC"}
	c := page(map[string]any{"last": 3, "sort": desc}, admin)
	if names(c) != "Carol,Bob,alice" || !c.PageInfo.HasPreviousPage || c.PageInfo.HasNextPage {
		t.Fatalf("last 3 by USERNAME DESC: %s %+v", names(c), c.PageInfo)
	}
	c = page(map[string]any{"last": 3, "before": *c.PageInfo.StartCursor, "sort": desc}, admin)
	if names(c) != "staff-a,eve,dave" || !c.PageInfo.HasPreviousPage || !c.PageInfo.HasNextPage {
		t.Fatalf("3 before Carol by USERNAME DESC: %s %+v", names(c), c.PageInfo)
	}

	// Filters.
	if c := page(map[string]any{"filter": map[string]any{"isStaff": true}, "sort": map[string]any{"field": "USERNAME"}}, admin); names(c) != "staff-a,staff-b" || c.TotalCount != 2 {
		t.Fatalf("staff: %s %d", names(c), c.TotalCount)
	}
	if c := page(map[string]any{"filter": map[string]any{"isStaff": false, "search": "B"}}, admin); names(c) != "Bob" || c.TotalCount != 1 {
		t.Fatalf("customers starting with b: %s %d", names(c), c.TotalCount)
	}

	// Stable under inserts: a user registered between pages neither
	// repeats nor shifts what follows.
	byName := map[string]any{"field": "USERNAME"}
	first := page(map[string]any{"first": 2, "sort": byName}, admin)
	register(t, in.URL, "aaron", "password", nil)
	next := page(map[string]any{"first": 2, "after": *first.PageInfo.EndCursor, "sort": byName}, admin)
	if names(first) != "alice,Bob" || names(next) != "Carol,dave" {
		t.Fatalf("pages around an insert: %s then %s", names(first), names(next))
	}

	// Refusals.
	for name, c := range map[string]struct {
		vars map[string]any
		h    map[string]string
		code string
		msg  string
	}{
		"anonymous":           {map[string]any{}, nil, "UNAUTHENTICATED", ""},
		"customer":            {map[string]any{}, bearer(customer.Token), "FORBIDDEN", "MANAGE_USERS"},
		"page of 101":         {map[string]any{"first": 101}, admin, "BAD_USER_INPUT", "100"},
		"last 101":            {map[string]any{"last": 101}, admin, "BAD_USER_INPUT", "100"},
		"negative":            {map[string]any{"first": -1}, admin, "BAD_USER_INPUT", ""},
		"both directions":     {map[string]any{"first": 1, "last": 1}, admin, "BAD_USER_INPUT", ""},
		"malformed cursor":    {map[string]any{"after": "%%%"}, admin, "BAD_USER_INPUT", "cursor"},
		"other sort's cursor": {map[string]any{"after": *first.PageInfo.EndCursor}, admin, "BAD_USER_INPUT", "cursor"},
	} {
		r := gql(t, in.URL, connQ, c.vars, c.h)
		if r.code() != c.code || string(r.Data) != "null" || !strings.Contains(fmt.Sprint(r.Errors), c.msg) {
			t.Errorf("%s: %s %+v, want %s mentioning %q", name, r.Data, r.Errors, c.code, c.msg)
		}
	}
}

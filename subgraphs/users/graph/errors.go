package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/users/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// toGraphQL maps a domain error to a GraphQL error with extensions.code.
// Unexpected errors are logged and reported without detail, so driver
// messages never reach clients.
func (r *Resolver) toGraphQL(ctx context.Context, err error) *gqlerror.Error {
	var ve *accounts.ValidationError
	var rl *accounts.RateLimitedError
	var se *accounts.ScopeError
	switch {
	case errors.As(err, &rl):
		secs := retryAfterSeconds(rl.RetryAfter)
		return gqlerr.New(ctx, gqlerr.TooManyRequests, fmt.Sprintf("too many attempts; try again in %d seconds", secs), map[string]any{"retryAfter": secs})
	case errors.Is(err, accounts.ErrAdminKeyRequired):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "listing users needs the admin key in the x-api-key header", nil)
	case errors.Is(err, accounts.ErrForbidden):
		return gqlerr.New(ctx, gqlerr.Forbidden, "listing users needs a valid admin key", nil)
	case errors.As(err, &se):
		return gqlerr.New(ctx, gqlerr.Forbidden, se.Error(), map[string]any{"requiredScopes": []string{se.Scope}})
	case errors.Is(err, accounts.ErrUnauthenticated):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "a valid bearer token of an existing user is required", nil)
	case errors.As(err, &ve):
		return gqlerr.New(ctx, gqlerr.BadUserInput, ve.Error(), map[string]any{"field": ve.Field})
	case errors.Is(err, accounts.ErrUsernameTaken):
		return gqlerr.New(ctx, gqlerr.BadUserInput, "username: is already taken", map[string]any{"field": "username"})
	case errors.Is(err, accounts.ErrInvalidID):
		return gqlerr.New(ctx, gqlerr.BadUserInput, "id: is not a valid user id", map[string]any{"field": "id"})
	case errors.Is(err, accounts.ErrInvalidCredentials):
		return gqlerr.New(ctx, gqlerr.Unauthenticated, accounts.ErrInvalidCredentials.Error(), nil)
	case mongox.IsUnavailable(err):
		return r.unavailable(ctx, err, "the user database is unavailable; try again shortly")
	case errors.Is(err, context.Canceled):
		return gqlerr.New(ctx, gqlerr.Unavailable, "request cancelled", nil)
	default:
		r.Log.ErrorContext(ctx, "resolver failed", "err", err)
		return gqlerr.New(ctx, gqlerr.Internal, "internal error", nil)
	}
}

// unavailable answers a database outage (no server, network, timeout) with
// SERVICE_UNAVAILABLE: the request was fine and may succeed when repeated.
// The cause is logged, never shown.
func (r *Resolver) unavailable(ctx context.Context, err error, msg string) *gqlerror.Error {
	r.Log.WarnContext(ctx, "user database unavailable", "err", err)
	return gqlerr.New(ctx, gqlerr.Unavailable, msg, nil)
}

// registerError is toGraphQL for registerUser: after an outage the account
// may have been written although its answer was lost, and a retry would
// then find the username taken, so the message says to log in instead.
func (r *Resolver) registerError(ctx context.Context, err error) *gqlerror.Error {
	if mongox.IsUnavailable(err) {
		return r.unavailable(ctx, err, "the user database is unavailable; the account may have been created all the same: "+
			"try again, and log in if the username is then taken")
	}
	return r.toGraphQL(ctx, err)
}

// retryAfterSeconds rounds up to whole seconds, at least one, so a client
// waiting that long is never early.
func retryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// mayReadPrivate reports whether the request may read u's private fields:
// the user themself (by token, or just registered or logged in) or an admin.
func mayReadPrivate(ctx context.Context, u *model.User) bool {
	return u.IssuedTo || accounts.CanSeeAccount(auth.FromContext(ctx), u.ID)
}

// toModel converts a domain user; the private fields are kept on the
// model and released only by their field resolvers.
func toModel(u *accounts.User) *model.User {
	if u == nil {
		return nil
	}
	m := &model.User{ID: u.ID, Username: u.Username, CreatedAt: u.CreatedAt.UTC().Format(time.RFC3339), Staff: u.Staff, Scopes: u.Scopes}
	if u.Email != "" {
		e := u.Email
		m.Email = &e
	}
	return m
}

// sessionResult is the answer of registerUser and login.
func sessionResult(s accounts.Session) *model.RegisterUserResult {
	u := toModel(&s.User)
	u.IssuedTo = true
	return &model.RegisterUserResult{AccessToken: s.Token, User: u}
}

// staffPayload answers a staff mutation: business errors (invalid input,
// a taken name, an unknown user) in the payload's errors, access and
// infrastructure errors as top-level GraphQL errors.
func (r *Resolver) staffPayload(ctx context.Context, u accounts.User, err error) (*model.StaffPayload, error) {
	if err == nil {
		return &model.StaffPayload{User: toModel(&u), Errors: []*model.StaffError{}}, nil
	}
	var ve *accounts.ValidationError
	field := func(f string) *string { return &f }
	switch {
	case errors.As(err, &ve):
		return &model.StaffPayload{Errors: []*model.StaffError{{Field: field(ve.Field), Code: model.StaffErrorCodeInvalid, Message: ve.Error()}}}, nil
	case errors.Is(err, accounts.ErrUsernameTaken):
		return &model.StaffPayload{Errors: []*model.StaffError{{Field: field("username"), Code: model.StaffErrorCodeUsernameTaken, Message: "username: is already taken"}}}, nil
	case errors.Is(err, accounts.ErrNotFound), errors.Is(err, accounts.ErrInvalidID):
		return &model.StaffPayload{Errors: []*model.StaffError{{Field: field("userId"), Code: model.StaffErrorCodeNotFound, Message: "userId: no such user"}}}, nil
	}
	return nil, r.toGraphQL(ctx, err)
}

// scopeStrings converts GraphQL scopes to the domain's strings.
func scopeStrings(in []model.StaffScope) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// toConnection converts a page of users to the Relay connection.
func toConnection(pg accounts.UserPage) *model.UserConnection {
	c := &model.UserConnection{
		Edges: make([]*model.UserEdge, len(pg.Users)), Nodes: make([]*model.User, len(pg.Users)),
		PageInfo:   &model.PageInfo{HasNextPage: pg.HasNext, HasPreviousPage: pg.HasPrev},
		TotalCount: pg.Total,
	}
	for i := range pg.Users {
		u := toModel(&pg.Users[i])
		c.Nodes[i], c.Edges[i] = u, &model.UserEdge{Cursor: pg.Cursors[i], Node: u}
	}
	if n := len(pg.Cursors); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &pg.Cursors[0], &pg.Cursors[n-1]
	}
	return c
}

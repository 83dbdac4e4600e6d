// Package usersapi is the internal REST contract of the users service:
// other services ask it whether a token's user exists. It is not exposed
// through the router; every call carries the service credential in
// HeaderServiceToken (see auth.DeriveServiceToken and service.Common.ServiceToken).
//
//	GET /internal/users/{id}  -> 200 User | 404 Problem(NOT_FOUND) | 401 Problem(UNAUTHENTICATED)
//
// A malformed id is answered like an unknown one (404): to the caller both
// mean "no such user".
package usersapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// HeaderServiceToken carries the shared service credential.
const HeaderServiceToken = "X-Service-Token"

// PathUsers is the prefix of the user lookup path; append the user id.
const PathUsers = "/internal/users/"

// Problem codes of refused calls.
const (
	CodeNotFound     = "NOT_FOUND"
	CodeUnauthorized = "UNAUTHENTICATED"
)

// User is the public part of a user.
type User struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
}

// Problem explains a refused call.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrNotFound is returned by Client.User when no such user exists.
var ErrNotFound = errors.New("user not found")

// Client calls the users service.
type Client struct {
	// BaseURL is the users service's base URL, e.g. http://localhost:4001.
	BaseURL string
	// Token is the service credential.
	Token string
	// HTTP is the client to use (http.DefaultClient when nil); give it a timeout.
	HTTP *http.Client
}

// User returns the user with id, ErrNotFound when there is none, or an
// error when the users service cannot answer (callers should then fail
// closed: treat the request as unauthenticated or retry).
func (c *Client) User(ctx context.Context, id string) (User, error) {
	u := strings.TrimRight(c.BaseURL, "/") + PathUsers + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return User{}, fmt.Errorf("lookup user: %w", err)
	}
	req.Header.Set(HeaderServiceToken, c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return User{}, fmt.Errorf("lookup user: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var out User
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return User{}, fmt.Errorf("lookup user: decode: %w", err)
		}
		return out, nil
	case http.StatusNotFound:
		return User{}, ErrNotFound
	default:
		var p Problem
		_ = json.NewDecoder(resp.Body).Decode(&p) //nolint:errcheck // the status alone is the answer
		return User{}, fmt.Errorf("lookup user: status %d %s %s", resp.StatusCode, p.Code, p.Message)
	}
}

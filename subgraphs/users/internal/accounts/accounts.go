// Package accounts is the users domain: registration, login and lookups.
// It owns the rules (username, password and email shapes, password hashing,
// who may see an email) and declares the Storer it needs; storage details
// live in mongostore.
package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
)

// Sentinel errors. Resolvers map them to GraphQL error codes.
var (
	// ErrNotFound means no user has the given id.
	ErrNotFound = errors.New("user not found")
	// ErrInvalidID means the id is not a well-formed user id.
	ErrInvalidID = errors.New("malformed user id")
	// ErrUsernameTaken means another user has the same username, ignoring case.
	ErrUsernameTaken = errors.New("username is already taken")
	// ErrInvalidCredentials is the one answer to every failed login, so a
	// caller cannot tell an unknown username from a wrong password.
	ErrInvalidCredentials = errors.New("invalid username or password")
	// ErrUnauthenticated means the request carries no valid token of an
	// existing user.
	ErrUnauthenticated = errors.New("authentication required")
)

// User is a stored user. PasswordHash never leaves this package's callers
// towards clients: the GraphQL model has no such field.
type User struct {
	ID string
	// Username is the name as typed at registration.
	Username string
	// Email is empty when the user gave none.
	Email        string
	PasswordHash []byte
	CreatedAt    time.Time
	// Staff is true for staff users, created with StaffCreate.
	Staff bool
	// Scopes are a staff user's scopes (sorted); none for customers.
	Scopes []string
	// TokenVersion is raised with every change of a staff user's scopes;
	// tokens carry the version they were issued under, and tokens of an
	// older version grant no scopes (see Service.Effective).
	TokenVersion int64
}

// Storer is the persistence the service needs. Implementations translate
// driver errors into this package's sentinels.
type Storer interface {
	// NewID returns a fresh id for a user about to be created.
	NewID() string
	// Create inserts u together with its UserRegistered event, in one write,
	// so the event exists exactly when the user does. It returns
	// ErrUsernameTaken when the normalized username exists already.
	Create(ctx context.Context, u User, usernameKey string, event events.Envelope) error
	// ByID returns ErrInvalidID or ErrNotFound when there is no such user.
	ByID(ctx context.Context, id string) (User, error)
	// ByIDs returns the users that exist among ids, in any order, using one
	// query; malformed ids are skipped.
	ByIDs(ctx context.Context, ids []string) ([]User, error)
	// ByUsernameKey finds a user by normalized username (ErrNotFound if none).
	ByUsernameKey(ctx context.Context, key string) (User, error)
	// List returns users ordered by id (registration order).
	List(ctx context.Context, skip, take int) ([]User, error)
	// SetScopes makes the user id staff with scopes and raises its token
	// version by one, in one write, and returns the updated user
	// (ErrInvalidID, ErrNotFound).
	SetScopes(ctx context.Context, id string, scopes []string) (User, error)
	// Page returns up to r.Limit users matching r's filter after r.After
	// (exclusive) in r's order, by an indexed range read.
	Page(ctx context.Context, r PageRequest) ([]User, error)
	// Count returns how many users match the filter.
	Count(ctx context.Context, search string, staff *bool) (int, error)
}

package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrRateLimited means too many attempts came from one client address or
// for one username; RateLimitedError carries when to try again.
var ErrRateLimited = errors.New("too many attempts")

// RateLimitedError refuses an attempt until RetryAfter has passed. It
// matches ErrRateLimited with errors.Is.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("%s: retry after %s", ErrRateLimited, e.RetryAfter)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

// Guard limits password guessing and mass registration. The service asks
// it before any expensive or revealing work (the user lookup and the
// bcrypt comparison), for known and unknown usernames alike, so a refusal
// neither costs CPU nor tells whether a name exists. Implementations decide
// what to do when their own storage fails; the one in internal/throttle
// lets attempts through.
type Guard interface {
	// BeginLogin counts a login attempt for the normalized username from
	// clientAddr (empty when unknown), or returns a *RateLimitedError
	// without counting it.
	BeginLogin(ctx context.Context, usernameKey, clientAddr string) error
	// LoginSucceeded tells the guard the attempt begun for usernameKey
	// matched, so it is not held against the user or the address.
	LoginSucceeded(ctx context.Context, usernameKey, clientAddr string)
	// BeginRegister counts a registration from clientAddr, or returns a
	// *RateLimitedError.
	BeginRegister(ctx context.Context, clientAddr string) error
}

// openGuard is the Guard of a service built without one: it never refuses.
type openGuard struct{}

func (openGuard) BeginLogin(context.Context, string, string) error { return nil }
func (openGuard) LoginSucceeded(context.Context, string, string)   {}
func (openGuard) BeginRegister(context.Context, string) error      { return nil }

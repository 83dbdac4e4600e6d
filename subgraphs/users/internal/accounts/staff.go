package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopsupergraph/shop/platform/auth"
)

// Errors of staff management. Resolvers map ErrScopeRequired to FORBIDDEN
// (with the scope in extensions.requiredScopes) and ErrUnauthenticated to
// UNAUTHENTICATED.
var (
	// ErrScopeRequired means the caller's credentials lack a scope.
	ErrScopeRequired = errors.New("missing scope")
)

// ScopeError refuses a caller that lacks Scope. It matches
// ErrScopeRequired.
type ScopeError struct{ Scope string }

func (e *ScopeError) Error() string { return "the " + e.Scope + " scope is required" }

// Is makes errors.Is(err, ErrScopeRequired) true.
func (e *ScopeError) Is(target error) bool { return target == ErrScopeRequired }

// StaffInput is what staffCreate needs.
type StaffInput struct {
	Username string
	Password string
	Email    *string
	Scopes   []string
}

// Require returns nil when p holds scope, ErrUnauthenticated when it
// carries no valid credentials at all, and a *ScopeError otherwise.
// Callers pass the principal Effective returned.
func Require(p auth.Principal, scope string) error {
	switch {
	case p.HasScope(scope):
		return nil
	case !p.Admin && !p.KeyPresented && p.UserID == "":
		if p.TokenErr != nil {
			return fmt.Errorf("%w: %w", ErrUnauthenticated, p.TokenErr)
		}
		return ErrUnauthenticated
	default:
		return &ScopeError{Scope: scope}
	}
}

// ValidateScopes accepts known staff scopes, refusing none at all and
// returning them sorted without repeats.
func ValidateScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, invalid("scopes", "a staff user needs at least one scope")
	}
	out := slices.Clone(scopes)
	for _, s := range out {
		if !slices.Contains(auth.AllScopes(), s) {
			return nil, invalid("scopes", "unknown scope %q", s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Effective returns p as the users service trusts it: a token's scopes
// count only while its version is the user's current token version and
// the user is still staff, so scopes changed or revoked since the token
// was issued stop working here at once. It costs one look-up by id, and
// only for tokens that carry scopes.
func (s *Service) Effective(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	if len(p.Scopes) == 0 || p.UserID == "" {
		return p, nil
	}
	u, err := s.store.ByID(ctx, p.UserID)
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalidID):
		p.Scopes = nil
		return p, nil
	case err != nil:
		return p, fmt.Errorf("check token version: %w", err)
	}
	if !u.Staff || u.TokenVersion != p.TokenVersion {
		p.Scopes = nil
		return p, nil
	}
	// Only scopes the user still holds count.
	p.Scopes = slices.DeleteFunc(slices.Clone(p.Scopes), func(sc string) bool { return !slices.Contains(u.Scopes, sc) })
	return p, nil
}

// CreateStaff creates a staff user holding in.Scopes. The caller needs
// MANAGE_USERS (the admin key holds it). Invalid input is a
// *ValidationError, a taken name ErrUsernameTaken; nothing is written
// then.
func (s *Service) CreateStaff(ctx context.Context, p auth.Principal, in StaffInput) (User, error) {
	if err := Require(p, auth.ScopeManageUsers); err != nil {
		return User{}, err
	}
	scopes, err := ValidateScopes(in.Scopes)
	if err != nil {
		return User{}, err
	}
	u, err := s.create(ctx, RegisterInput{Username: in.Username, Password: in.Password, Email: in.Email}, false, func(u *User) {
		u.Staff, u.Scopes, u.TokenVersion = true, scopes, 1
	})
	if err != nil {
		return User{}, fmt.Errorf("create staff: %w", err)
	}
	return u, nil
}

// UpdateScopes replaces the scopes of user id (making it staff) and
// raises its token version, so its tokens issued before grant nothing in
// this service; the user logs in again for a token with the new scopes.
// The caller needs MANAGE_USERS.
func (s *Service) UpdateScopes(ctx context.Context, p auth.Principal, id string, scopes []string) (User, error) {
	if err := Require(p, auth.ScopeManageUsers); err != nil {
		return User{}, err
	}
	sc, err := ValidateScopes(scopes)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.SetScopes(ctx, id, sc)
	if err != nil {
		return User{}, fmt.Errorf("update scopes: %w", err)
	}
	return u, nil
}

// CanSeeStaff reports whether p may read whether userID is staff and its
// scopes: that user and callers with MANAGE_USERS may.
func CanSeeStaff(p auth.Principal, userID string) bool {
	return p.HasScope(auth.ScopeManageUsers) || (p.UserID != "" && p.UserID == userID)
}

// identity is what a token for u carries.
func identity(u User) auth.Identity {
	id := auth.Identity{UserID: u.ID}
	if u.Staff {
		id.Scopes, id.Version = u.Scopes, u.TokenVersion
	}
	return id
}

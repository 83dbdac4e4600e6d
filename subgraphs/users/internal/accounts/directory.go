package accounts

import (
	"errors"
	"fmt"

	"github.com/shopsupergraph/shop/platform/auth"
)

// Directory says who may list every user (the `users` query). Looking one
// user up by id, which federation needs, is open either way.
type Directory string

const (
	// DirectoryPublic lists users to anyone, as the seed's anonymous
	// `users` query expects; the development default.
	DirectoryPublic Directory = "public"
	// DirectoryStaff lists users only to callers with the admin key or
	// the MANAGE_USERS scope; the
	// production default and the zero value's meaning, because a full list
	// of usernames is a ready-made target list for password guessing.
	DirectoryStaff Directory = "staff"
)

// ParseDirectory accepts "public" and "staff".
func ParseDirectory(s string) (Directory, error) {
	switch d := Directory(s); d {
	case DirectoryPublic, DirectoryStaff:
		return d, nil
	default:
		return "", fmt.Errorf("users directory must be %q or %q, got %q", DirectoryPublic, DirectoryStaff, s)
	}
}

// Errors of a refused listing. Resolvers map them to UNAUTHENTICATED and
// FORBIDDEN.
var (
	// ErrAdminKeyRequired means a caller without any credentials asked
	// for a staff-only directory.
	ErrAdminKeyRequired = errors.New("listing users needs the admin key")
	// ErrForbidden means the caller's credentials (a user token, a wrong
	// key) do not allow listing a staff-only directory.
	ErrForbidden = errors.New("listing users needs a valid admin key")
)

// mayList checks p against the directory d.
func (d Directory) mayList(p auth.Principal) error {
	switch {
	case d == DirectoryPublic || p.HasScope(auth.ScopeManageUsers):
		return nil
	case !p.KeyPresented && !p.Authenticated() && p.TokenErr == nil:
		return ErrAdminKeyRequired
	default:
		return ErrForbidden
	}
}

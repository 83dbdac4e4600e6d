package gqlerr

import (
	"context"
	"testing"

	"github.com/shopsupergraph/shop/platform/auth"
)

func TestRequireScope(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		p    auth.Principal
		want string
	}{
		"admin key":            {auth.Principal{Admin: true, KeyPresented: true}, ""},
		"staff with the scope": {auth.Principal{UserID: "s", Scopes: []string{auth.ScopeManageProducts}}, ""},
		"staff without it":     {auth.Principal{UserID: "s", Scopes: []string{auth.ScopeManageOrders}}, Forbidden},
		"customer":             {auth.Principal{UserID: "c"}, Forbidden},
		"wrong key":            {auth.Principal{KeyPresented: true}, Forbidden},
		"anonymous":            {auth.Principal{}, Unauthenticated},
		"expired token":        {auth.Principal{TokenErr: auth.ErrExpiredToken}, Forbidden},
		// A scope claim without a verified user grants nothing.
		"scopes without user": {auth.Principal{Scopes: []string{auth.ScopeManageProducts}}, Unauthenticated},
	} {
		err := RequireScope(auth.WithPrincipal(context.Background(), c.p), auth.ScopeManageProducts)
		got := ""
		if err != nil {
			got, _ = err.Extensions["code"].(string)
		}
		if got != c.want {
			t.Errorf("%s: code %q, want %q (%v)", name, got, c.want, err)
		}
		if c.want == Forbidden {
			if rs, _ := err.Extensions["requiredScopes"].([]string); len(rs) != 1 || rs[0] != auth.ScopeManageProducts {
				t.Errorf("%s: requiredScopes %v", name, err.Extensions)
			}
		}
	}
}

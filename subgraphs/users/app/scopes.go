package app

import (
	"log/slog"
	"net/http"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// currentScopes replaces the request's principal by the one the users
// service trusts (accounts.Service.Effective): a staff token's scopes
// count only while its token version is current, so scopes changed or
// revoked since it was issued stop working here at once. When the check
// cannot be made (the database is down) the token's scopes are dropped:
// staff actions fail closed, and everything else goes on.
func currentScopes(svc *accounts.Service, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p := auth.FromContext(ctx)
		if len(p.Scopes) > 0 {
			eff, err := svc.Effective(ctx, p)
			if err != nil {
				log.WarnContext(ctx, "token version check failed; the token's scopes are ignored", "err", err)
				eff = p
				eff.Scopes = nil
			}
			r = r.WithContext(auth.WithPrincipal(ctx, eff))
		}
		next.ServeHTTP(w, r)
	})
}

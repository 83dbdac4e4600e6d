// Package internalapi serves the users service's internal REST endpoint
// (platform/usersapi): other services check that a token's user exists.
// Only callers presenting the service credential are answered.
package internalapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/shopsupergraph/shop/platform/usersapi"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// Pattern is the ServeMux pattern of the lookup endpoint.
const Pattern = "GET " + usersapi.PathUsers + "{id}"

// Finder is the part of the accounts service the endpoint needs.
type Finder interface {
	ByID(ctx context.Context, id string) (accounts.User, error)
}

// Handler answers GET /internal/users/{id} with 200 {"_id","username"},
// 404 for unknown or malformed ids, and 401 without the service token.
func Handler(f Finder, serviceToken string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(usersapi.HeaderServiceToken)
		if serviceToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(serviceToken)) != 1 {
			write(w, http.StatusUnauthorized, usersapi.Problem{Code: usersapi.CodeUnauthorized, Message: "a valid " + usersapi.HeaderServiceToken + " header is required"})
			return
		}
		u, err := f.ByID(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, accounts.ErrNotFound), errors.Is(err, accounts.ErrInvalidID):
			write(w, http.StatusNotFound, usersapi.Problem{Code: usersapi.CodeNotFound, Message: "no such user"})
		case err != nil:
			log.ErrorContext(r.Context(), "internal user lookup failed", "err", err)
			write(w, http.StatusServiceUnavailable, usersapi.Problem{Code: "SERVICE_UNAVAILABLE", Message: "lookup failed"})
		default:
			write(w, http.StatusOK, usersapi.User{ID: u.ID, Username: u.Username})
		}
	})
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away; nothing to do
}

package authn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Middleware refuses requests whose token fails Authenticate with the
// error's status and a GraphQL error, before anything is parsed or
// planned; a verified request continues with its claims in its context
// (FromContext). WebSocket upgrades pass: their credentials may arrive in
// connection_init, which the subscriptions handler checks with Context.
// OPTIONS requests pass too: preflights carry no credentials and execute
// nothing.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || isWebSocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := a.Context(r.Context(), r.Header)
		if err != nil {
			WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Context is Authenticate returning ctx with the verified claims, ready
// for the subscriptions handler's connection_init check.
func (a *Authenticator) Context(ctx context.Context, header http.Header) (context.Context, error) {
	claims, err := a.Authenticate(ctx, header)
	if err != nil {
		return ctx, err
	}
	if claims != nil {
		ctx = WithClaims(ctx, claims)
	}
	return ctx, nil
}

func isWebSocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// WriteError answers a refused request: err's status (401 or 503; 401 for
// an error that is not an *Error) and {"errors":[{message, extensions.code}]}.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = unauthenticated("invalid token")
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message": e.Message, "extensions": map[string]any{"code": e.Code},
	}}})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if e.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Bearer") // RFC 7235: a 401 names its scheme
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

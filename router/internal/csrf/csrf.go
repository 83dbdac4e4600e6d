// Package csrf refuses GraphQL requests a browser could send cross-site
// without a CORS preflight, the way Apollo Router does: a request passes
// only when its Content-Type is not one of the three "simple" types
// (text/plain, application/x-www-form-urlencoded, multipart/form-data) and
// is present, or when it carries a non-empty preflight-forcing header.
package csrf

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// DefaultRequiredHeaders are the headers that force a preflight; any one of
// them, non-empty, lets a request through.
var DefaultRequiredHeaders = []string{"x-apollo-operation-name", "apollo-require-preflight"}

// Code is the extensions.code of refused requests.
const Code = "CSRF_ERROR"

// Protect wraps next so that requests which could be simple cross-site
// requests are refused with 400. requiredHeaders defaults to
// DefaultRequiredHeaders when empty.
func Protect(requiredHeaders []string, next http.Handler) http.Handler {
	if len(requiredHeaders) == 0 {
		requiredHeaders = DefaultRequiredHeaders
	}
	names := make([]string, len(requiredHeaders))
	for i, h := range requiredHeaders {
		names[i] = http.CanonicalHeaderKey(h)
	}
	msg := "This request has been blocked as a possible cross-site request forgery. Send a Content-Type other than " +
		"application/x-www-form-urlencoded, multipart/form-data or text/plain, or one of these headers: " +
		strings.Join(requiredHeaders, ", ") + "."
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message": msg, "extensions": map[string]any{"code": Code},
	}}})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || preflighted(r, names) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(body)
	})
}

// preflighted reports whether a browser would have had to preflight r.
func preflighted(r *http.Request, names []string) bool {
	for _, n := range names {
		if strings.TrimSpace(r.Header.Get(n)) != "" {
			return true
		}
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		// Browsers send only well-formed simple types without a preflight;
		// an unparsable value cannot be one of them.
		return true
	}
	switch mt {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return false
	}
	return true
}

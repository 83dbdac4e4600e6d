// Package cors answers CORS preflights and decorates responses for the
// configured browser origins. Without configuration the router sends no
// CORS headers, so browsers only reach it from its own origin (the
// playground).
package cors

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Config lists what cross-origin browsers may do.
type Config struct {
	// AllowOrigins lists exact origins ("https://shop.example"); "*" allows
	// any origin (never together with credentials).
	AllowOrigins []string
	// AllowCredentials lets browsers send cookies and auth headers.
	AllowCredentials bool
	// AllowHeaders lists request headers a browser may send.
	AllowHeaders []string
	// AllowMethods lists the methods a browser may use.
	AllowMethods []string
	// ExposeHeaders lists response headers scripts may read.
	ExposeHeaders []string
	// MaxAgeSeconds lets browsers cache a preflight answer.
	MaxAgeSeconds int
}

// DefaultAllowHeaders are the request headers a GraphQL client needs,
// including the shop's credentials and the CSRF preflight headers.
var DefaultAllowHeaders = []string{"Content-Type", "Authorization", "X-Api-Key", "X-Api-Token", "Apollo-Require-Preflight", "X-Apollo-Operation-Name", "Traceparent"}

// Handler wraps next with CORS handling per cfg.
func Handler(cfg Config, next http.Handler) http.Handler {
	if len(cfg.AllowHeaders) == 0 {
		cfg.AllowHeaders = DefaultAllowHeaders
	}
	if len(cfg.AllowMethods) == 0 {
		cfg.AllowMethods = []string{http.MethodGet, http.MethodPost, http.MethodOptions}
	}
	anyOrigin := slices.Contains(cfg.AllowOrigins, "*")
	allowHeaders := strings.Join(cfg.AllowHeaders, ", ")
	allowMethods := strings.Join(cfg.AllowMethods, ", ")
	expose := strings.Join(cfg.ExposeHeaders, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := anyOrigin || slices.Contains(cfg.AllowOrigins, origin)
		if allowed {
			if anyOrigin && !cfg.AllowCredentials {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if cfg.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if expose != "" {
				h.Set("Access-Control-Expose-Headers", expose)
			}
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				h.Set("Access-Control-Allow-Methods", allowMethods)
				h.Set("Access-Control-Allow-Headers", allowHeaders)
				if cfg.MaxAgeSeconds > 0 {
					h.Set("Access-Control-Max-Age", strconv.Itoa(cfg.MaxAgeSeconds))
				}
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

package authn_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/authn/authntest"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	k := newKeys(t)
	jwks := authntest.NewServer(k.ed)
	t.Cleanup(jwks.Close)
	down := authntest.NewServer(k.ed)
	t.Cleanup(down.Close)
	down.SetFailing(true)

	var calls atomic.Int32
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		c, ok := authn.FromContext(r.Context())
		_ = json.NewEncoder(w).Encode(map[string]any{"sub": c.Subject(), "verified": ok})
	})
	serve := func(a *authn.Authenticator) string {
		srv := httptest.NewServer(a.Middleware(next))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	up := serve(start(t, jwks, authn.Config{}))
	unavailable := serve(start(t, down, authn.Config{}))
	valid := "Bearer " + sign(t, k.ed, authntest.Claims("u1", time.Hour))
	expired := "Bearer " + sign(t, k.ed, authntest.Claims("u1", -time.Hour))

	cases := []struct {
		name, url, method, auth, upgrade string
		status                           int
		body                             string
	}{
		{"verified", up, http.MethodPost, valid, "", 200, `{"sub":"u1","verified":true}`},
		{"anonymous", up, http.MethodPost, "", "", 200, `{"sub":"","verified":false}`},
		{"expired", up, http.MethodPost, expired, "", 401, `{"errors":[{"extensions":{"code":"UNAUTHENTICATED"},"message":"token expired"}]}`},
		{"keys unavailable", unavailable, http.MethodPost, valid, "", 503,
			`{"errors":[{"extensions":{"code":"AUTHENTICATION_UNAVAILABLE"},"message":"the keys that verify tokens have not been fetched yet; retry later"}]}`},
		{"websocket upgrade is left to connection_init", up, http.MethodGet, expired, "websocket", 200, `{"sub":"","verified":false}`},
		{"preflight", up, http.MethodOptions, expired, "", 200, `{"sub":"","verified":false}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			req, err := http.NewRequest(tc.method, tc.url+"/graphql", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.upgrade != "" {
				req.Header.Set("Upgrade", tc.upgrade)
				req.Header.Set("Connection", "Upgrade")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status || string(body) != tc.body+"\n" && string(body) != tc.body {
				t.Fatalf("HTTP %d %s, want %d %s", res.StatusCode, body, tc.status, tc.body)
			}
			reached := calls.Load() > before
			if reached != (tc.status == 200) {
				t.Fatalf("next handler reached: %v", reached)
			}
			if tc.status == 401 && res.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Fatalf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

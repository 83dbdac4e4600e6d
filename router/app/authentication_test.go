package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/authn/authntest"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
	"github.com/shopsupergraph/shop/router/internal/subscriptions"
)

// tokenKeys are the users service's signing keys in these tests: an
// Ed25519 and an RSA key published in its JWK set.
type tokenKeys struct {
	ed, rsa *authntest.Key
}

func newTokenKeys(t *testing.T) tokenKeys {
	t.Helper()
	ed, err := authntest.NewEd25519("ed-2026")
	if err != nil {
		t.Fatal(err)
	}
	rsa, err := authntest.NewRSA("rsa-2026")
	if err != nil {
		t.Fatal(err)
	}
	return tokenKeys{ed: ed, rsa: rsa}
}

func startJWKS(t *testing.T, keys ...*authntest.Key) *authntest.Server {
	t.Helper()
	s := authntest.NewServer(keys...)
	t.Cleanup(s.Close)
	return s
}

// verifying turns token verification on against jwks.
func verifying(jwks *authntest.Server, require bool) func(*app.Config) {
	return func(c *app.Config) {
		c.Authentication.Router.JWT.JWKS = []app.JWKSConfig{{URL: jwks.URL()}}
		c.Authentication.Require = require
	}
}

func token(t *testing.T, k *authntest.Key, ttl time.Duration) string {
	t.Helper()
	s, err := k.Sign(authntest.Claims("u1", ttl))
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

// unsigned returns tokens no JWK set verifies: HS256 and alg none, both
// naming a published key.
func unsigned(t *testing.T, kid string) (hs256, none string) {
	t.Helper()
	h := jwt.NewWithClaims(jwt.SigningMethodHS256, authntest.Claims("u1", time.Hour))
	if kid != "" {
		h.Header["kid"] = kid
	}
	hs, err := h.SignedString([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	n := jwt.NewWithClaims(jwt.SigningMethodNone, authntest.Claims("u1", time.Hour))
	n.Header["kid"] = kid
	ns, err := n.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + hs, "Bearer " + ns
}

// subgraphAuth returns the Authorization headers the subgraphs received.
func subgraphAuth(sgs map[string]*fedtest.Subgraph) []string {
	var out []string
	for _, sg := range sgs {
		for _, r := range sg.Requests() {
			out = append(out, r.Header.Get("Authorization"))
		}
	}
	return out
}

// passes checks that a request with auth was answered and that every
// subgraph request carried auth as the client sent it.
func passes(t *testing.T, url string, sgs map[string]*fedtest.Subgraph, auth string) {
	t.Helper()
	for _, sg := range sgs {
		sg.Reset()
	}
	status, res, _ := post(t, url, map[string]any{"query": productsQuery}, map[string]string{"Authorization": auth})
	if status != http.StatusOK || len(res.Errors) > 0 || productCount(t, res) != 3 {
		t.Fatalf("HTTP %d %+v", status, res)
	}
	got := subgraphAuth(sgs)
	if len(got) == 0 {
		t.Fatal("no subgraph request")
	}
	for _, a := range got {
		if a != auth {
			t.Fatalf("subgraph got Authorization %q, want %q", a, auth)
		}
	}
}

// refused checks that a request with auth got status and code and never
// reached a subgraph.
func refused(t *testing.T, url string, sgs map[string]*fedtest.Subgraph, auth string, status int, code string) response {
	t.Helper()
	for _, sg := range sgs {
		sg.Reset()
	}
	headers := map[string]string{}
	if auth != "" {
		headers["Authorization"] = auth
	}
	got, res, _ := post(t, url, map[string]any{"query": productsQuery}, headers)
	if got != status || res.code() != code || res.Data != nil {
		t.Fatalf("want %d %s, got HTTP %d %+v", status, code, got, res)
	}
	if n := len(subgraphAuth(sgs)); n > 0 {
		t.Fatalf("refused request reached the subgraphs (%d requests)", n)
	}
	return res
}

func TestAuthenticationVerifiesTokens(t *testing.T) {
	t.Parallel()
	keys := newTokenKeys(t)
	jwks := startJWKS(t, keys.ed, keys.rsa)
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, verifying(jwks, false))

	passes(t, srv.URL, sgs, token(t, keys.ed, time.Hour))
	passes(t, srv.URL, sgs, token(t, keys.rsa, time.Hour))
	status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, nil)
	if status != http.StatusOK || productCount(t, res) != 3 {
		t.Fatalf("anonymous request: HTTP %d %+v", status, res)
	}

	forger, err := authntest.NewEd25519(keys.ed.ID) // the published kid, another key
	if err != nil {
		t.Fatal(err)
	}
	hs256, none := unsigned(t, keys.ed.ID)
	hs256NoKid, _ := unsigned(t, "")
	for name, auth := range map[string]string{
		"HS256 without kid": hs256NoKid,
		"expired":           token(t, keys.ed, -time.Hour),
		"wrong signature":   token(t, forger, time.Hour),
		"HS256":             hs256,
		"alg none":          none,
		"not a bearer":      "Basic dTpw",
	} {
		t.Run(name, func(t *testing.T) {
			refused(t, srv.URL, sgs, auth, http.StatusUnauthorized, "UNAUTHENTICATED")
		})
	}

	// An unknown kid fetches the set once more, then is refused; more
	// tokens naming unknown keys within 30 s fetch nothing.
	before := jwks.Fetches()
	stranger, err := authntest.NewEd25519("stranger")
	if err != nil {
		t.Fatal(err)
	}
	res = refused(t, srv.URL, sgs, token(t, stranger, time.Hour), http.StatusUnauthorized, "UNAUTHENTICATED")
	if !strings.Contains(res.Errors[0].Message, "unknown key") {
		t.Fatalf("message %q", res.Errors[0].Message)
	}
	if n := jwks.Fetches(); n != before+1 {
		t.Fatalf("%d fetches after an unknown kid, want %d", n, before+1)
	}
	refused(t, srv.URL, sgs, token(t, stranger, time.Hour), http.StatusUnauthorized, "UNAUTHENTICATED")
	if n := jwks.Fetches(); n != before+1 {
		t.Fatalf("%d fetches after a second unknown kid, want %d", n, before+1)
	}
}

func TestAuthenticationPicksUpRotatedKey(t *testing.T) {
	t.Parallel()
	keys := newTokenKeys(t)
	jwks := startJWKS(t, keys.ed)
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, verifying(jwks, false))
	passes(t, srv.URL, sgs, token(t, keys.ed, time.Hour))
	jwks.Add(keys.rsa) // users starts signing with a new key
	passes(t, srv.URL, sgs, token(t, keys.rsa, time.Hour))
	if n := jwks.Fetches(); n != 2 {
		t.Fatalf("%d fetches, want 2 (start, new kid)", n)
	}
}

func TestAuthenticationRequire(t *testing.T) {
	t.Parallel()
	keys := newTokenKeys(t)
	jwks := startJWKS(t, keys.ed)
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, verifying(jwks, true))
	res := refused(t, srv.URL, sgs, "", http.StatusUnauthorized, "UNAUTHENTICATED")
	if !strings.Contains(res.Errors[0].Message, "authentication required") {
		t.Fatalf("message %q", res.Errors[0].Message)
	}
	passes(t, srv.URL, sgs, token(t, keys.ed, time.Hour))
}

// TestAuthenticationOffByDefault checks that without a JWKS the router
// verifies nothing: tokens it could not verify reach the subgraphs as
// sent (make run's HS256 tokens, which the subgraphs verify).
func TestAuthenticationOffByDefault(t *testing.T) {
	t.Parallel()
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, nil)
	hs256, none := unsigned(t, "any")
	for _, auth := range []string{hs256, none, "Bearer not-a-jwt", "Basic dTpw"} {
		passes(t, srv.URL, sgs, auth)
	}
}

func TestAuthenticationWhileKeysUnavailable(t *testing.T) {
	t.Parallel()
	keys := newTokenKeys(t)
	jwks := startJWKS(t, keys.ed)
	jwks.SetFailing(true)
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, verifying(jwks, false))
	refused(t, srv.URL, sgs, token(t, keys.ed, time.Hour), http.StatusServiceUnavailable, "AUTHENTICATION_UNAVAILABLE")
	status, res, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, nil)
	if status != http.StatusOK || productCount(t, res) != 3 {
		t.Fatalf("anonymous request: HTTP %d %+v", status, res)
	}
	// The set is fetched again in the background until it answers.
	jwks.SetFailing(false)
	auth := map[string]string{"Authorization": token(t, keys.ed, time.Hour)}
	waitFor(t, "the key set", func() bool {
		status, _, _ := post(t, srv.URL, map[string]any{"query": productsQuery}, auth)
		return status == http.StatusOK
	})
	passes(t, srv.URL, sgs, token(t, keys.ed, time.Hour))
}

// openSSE starts a subscription over SSE and returns the response; the
// caller closes its body.
func openSSE(t *testing.T, ctx context.Context, url, auth string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", strings.NewReader(`{"query":"`+stockSubscription+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// initWS opens a WebSocket, sends connection_init with payload and
// returns the connection and the first message (or the close error).
func initWS(t *testing.T, ctx context.Context, url string, payload map[string]any) (*websocket.Conn, string, error) {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, url+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscriptions.Protocol}})
	closeBody(resp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	data, err := json.Marshal(map[string]any{"type": "connection_init", "payload": payload})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, websocket.MessageText, data); err != nil {
		t.Fatal(err)
	}
	_, msg, err := c.Read(ctx)
	return c, string(msg), err
}

func TestAuthenticationOfSubscriptions(t *testing.T) {
	t.Parallel()
	keys := newTokenKeys(t)
	jwks := startJWKS(t, keys.ed, keys.rsa)
	srv, feed := startStreamingShopWith(t, verifying(jwks, true))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	expired := token(t, keys.ed, -time.Hour)

	// SSE: checked like any request, before a stream opens.
	res := openSSE(t, ctx, srv.URL, expired)
	defer res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("SSE with an expired token: HTTP %d, want 401", res.StatusCode)
	}
	var body response
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.code() != "UNAUTHENTICATED" {
		t.Fatalf("SSE with an expired token: HTTP %d %+v", res.StatusCode, body)
	}

	// WebSocket: checked at connection_init, refused with 4403.
	for name, payload := range map[string]map[string]any{
		"expired": {"Authorization": expired},
		"none":    {},
	} {
		_, msg, err := initWS(t, ctx, srv.URL, payload)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4403 || !strings.HasPrefix(ce.Reason, "UNAUTHENTICATED: ") {
			t.Fatalf("WebSocket %s: message %q, err %v; want close 4403 UNAUTHENTICATED", name, msg, err)
		}
	}
	feed.mu.Lock()
	reached := len(feed.headers)
	feed.mu.Unlock()
	if reached != 0 {
		t.Fatalf("a refused subscription reached the subgraph (%d)", reached)
	}

	// Valid tokens pass and reach the subgraph as sent.
	sseAuth, wsAuth := token(t, keys.rsa, time.Hour), token(t, keys.ed, time.Hour)
	stream := openSSE(t, ctx, srv.URL, sseAuth)
	defer stream.Body.Close()
	if stream.StatusCode != http.StatusOK {
		t.Fatalf("SSE with a valid token: HTTP %d", stream.StatusCode)
	}
	c, msg, err := initWS(t, ctx, srv.URL, map[string]any{"Authorization": wsAuth})
	if err != nil || !strings.Contains(msg, "connection_ack") {
		t.Fatalf("WebSocket with a valid token: %q %v", msg, err)
	}
	sub := `{"id":"1","type":"subscribe","payload":{"query":"` + stockSubscription + `"}}`
	if err := c.Write(ctx, websocket.MessageText, []byte(sub)); err != nil {
		t.Fatal(err)
	}
	waitActive(t, feed, 2)
	feed.mu.Lock()
	got := []string{feed.headers[0].Get("Authorization"), feed.headers[1].Get("Authorization")}
	feed.mu.Unlock()
	want := []string{sseAuth, wsAuth}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("subgraph subscriptions got Authorization %q", got)
	}
}

// TestAuthenticationSharedSecretFromFile is the shop's HS256 setup: the
// router reads API_SECRET as an oct key from a file:// JWK set, given in
// router.yaml with Apollo Router's keys; users' kid-less HS256 tokens
// pass, and forged, expired, other-algorithm and malformed ones are
// refused before any subgraph is called.
func TestAuthenticationSharedSecretFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := authntest.NewHMAC("", []byte("the-shop-api-secret-0123456789abcdef"))
	jwksURL, err := authntest.WriteFile(filepath.Join(dir, "jwks.json"), secret)
	if err != nil {
		t.Fatal(err)
	}
	yaml := "authentication:\n  router:\n    jwt:\n      jwks:\n        - url: " + jwksURL + "\n          algorithms: [HS256]\n"
	path := filepath.Join(dir, "router.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	sdl, sgs := startGraph(t, nil)
	srv := startRouter(t, sdl, func(c *app.Config) { c.Authentication = cfg.Authentication })

	passes(t, srv.URL, sgs, token(t, secret, time.Hour))
	forger := authntest.NewHMAC("", []byte("not-the-shop-secret-0123456789abcd"))
	rsaKey, err := authntest.NewRSA("")
	if err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]string{
		"other secret":   token(t, forger, time.Hour),
		"expired":        token(t, secret, -time.Hour),
		"HS512":          token(t, secret.As("HS512"), time.Hour),
		"RS256":          token(t, rsaKey, time.Hour),
		"malformed":      "Bearer not.a.jwt",
		"no bearer word": "Token abc",
	} {
		t.Run(name, func(t *testing.T) {
			refused(t, srv.URL, sgs, auth, http.StatusUnauthorized, "UNAUTHENTICATED")
		})
	}
}

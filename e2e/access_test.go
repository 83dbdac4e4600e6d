package e2e

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestAccessRules checks, through the router, that every kind of bad
// credential is refused with the right code and that refusals leak nothing:
// no data, no secret, no internal address, no stack trace.
func TestAccessRules(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	p := s.createProduct(ctx, "guarded", 100, 50)
	alice, bob := s.register(ctx, "alice"), s.register(ctx, "bob")
	var placed struct{ PlaceOrder order }
	if r := s.placeOrder(ctx, alice, p.ID, 1); r.Decode(&placed) != nil || placed.PlaceOrder.ID == "" {
		t.Fatalf("alice's order: %s", r.Body)
	}
	aliceOrder := placed.PlaceOrder.ID

	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	now := time.Now()
	valid := jwt.MapClaims{"userId": alice.ID, "sub": alice.ID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	expired := jwt.MapClaims{"userId": alice.ID, "sub": alice.ID, "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()}
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"userId":"` + alice.ID + `","sub":"` + alice.ID + `","exp":` + jwtNum(now.Add(time.Hour)) + `}`))
	// A real token with its payload swapped for bob's id: the signature no longer matches.
	parts := strings.Split(alice.Token, ".")
	swapped := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"userId":"`+bob.ID+`","sub":"`+bob.ID+`","exp":`+jwtNum(now.Add(time.Hour))+`}`)) + "." + parts[2]

	// Sanity: a token we sign with the real secret is accepted, so the
	// refusals below are about the flaw each one carries.
	if r := s.placeOrder(ctx, account{Token: sign(jwt.SigningMethodHS256, []byte(sys.Secret), valid)}, p.ID, 1); len(r.Errors) > 0 {
		t.Fatalf("well-formed token refused: %s", r.Body)
	}

	bearer := []struct{ name, header string }{
		{"no token", ""},
		{"garbage", "Bearer not-a-token"},
		{"forged payload", "Bearer " + swapped},
		{"expired", "Bearer " + sign(jwt.SigningMethodHS256, []byte(sys.Secret), expired)},
		{"alg none", "Bearer " + header + "." + payload + "."},
		{"other secret", "Bearer " + sign(jwt.SigningMethodHS256, []byte("another-secret-of-sufficient-length!"), valid)},
		{"HS512 with the secret", "Bearer " + sign(jwt.SigningMethodHS512, []byte(sys.Secret), valid)},
		{"admin key as bearer", "Bearer " + sys.Secret},
		{"no scheme", alice.Token + "x"},
	}
	for _, tc := range bearer {
		t.Run("placeOrder/"+tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.header != "" {
				h["Authorization"] = tc.header
			}
			r := s.do(ctx, `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { _id userId } }`,
				map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": 1}}}, h)
			// Bad tokens: the router's authentication (401 UNAUTHENTICATED).
			// No token: placeOrder is @authenticated, which the router
			// enforces (UNAUTHORIZED_FIELD_OR_TYPE).
			expectRefused(t, sys, r, "placeOrder", "UNAUTHENTICATED", "UNAUTHORIZED_FIELD_OR_TYPE")
			r = s.do(ctx, `{ me { _id email } }`, nil, h)
			if strings.Contains(string(r.Body), alice.ID) || strings.Contains(string(r.Body), "@example.com") {
				t.Errorf("me with %s leaked: %s", tc.name, r.Body)
			}
			r = s.do(ctx, `query($id: ID!) { order(id: $id) { _id total } }`, map[string]any{"id": aliceOrder}, h)
			expectRefused(t, sys, r, "order", "UNAUTHENTICATED", "NOT_FOUND", "FORBIDDEN")
		})
	}

	// The router verifies tokens itself (the harness turns its
	// authentication on, as make run does): a bad token is refused with
	// 401 before any subgraph, even on a query anonymous callers may run.
	t.Run("router refuses bad tokens", func(t *testing.T) {
		for _, tc := range bearer[1:] {
			if !strings.HasPrefix(tc.header, "Bearer ") {
				continue
			}
			r := s.do(ctx, `{ products { _id } }`, nil, map[string]string{"Authorization": tc.header})
			if r.Status != http.StatusUnauthorized || !r.HasCode("UNAUTHENTICATED") {
				t.Errorf("products with %s: HTTP %d %s, want the router's 401 UNAUTHENTICATED", tc.name, r.Status, r.Body)
			}
		}
		if r := s.do(ctx, `{ products { _id } }`, nil, alice.auth()); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("products with alice's token: HTTP %d %s", r.Status, r.Body)
		}
	})

	admin := []struct {
		name    string
		headers map[string]string
		codes   []string
	}{
		// The admin mutations need MANAGE_PRODUCTS (@requiresScopes),
		// which the router enforces before planning: no key or a
		// customer's token lose the field (UNAUTHORIZED_FIELD_OR_TYPE);
		// a wrong admin key is refused outright (401 UNAUTHENTICATED).
		{"no key", nil, []string{"UNAUTHORIZED_FIELD_OR_TYPE"}},
		{"wrong x-api-key", map[string]string{"x-api-key": "wrong"}, []string{"UNAUTHENTICATED"}},
		{"wrong x-api-token", map[string]string{"x-api-token": harness.WrongKey(sys.Secret)}, []string{"UNAUTHENTICATED"}},
		{"key prefix", map[string]string{"x-api-key": sys.Secret[:10]}, []string{"UNAUTHENTICATED"}},
		{"user token", alice.auth(), []string{"UNAUTHORIZED_FIELD_OR_TYPE"}},
	}
	for _, tc := range admin {
		t.Run("createProduct/"+tc.name, func(t *testing.T) {
			r := s.do(ctx, `mutation { createProduct(input: {name: "contraband", price: 1, quantity: 1}) { _id } }`, nil, tc.headers)
			expectRefused(t, sys, r, "createProduct", tc.codes...)
			r = s.do(ctx, `mutation($id: ID!) { restockProduct(id: $id, quantity: 1000) { quantity } }`, map[string]any{"id": p.ID}, tc.headers)
			expectRefused(t, sys, r, "restockProduct", tc.codes...)
		})
	}

	t.Run("another user's order", func(t *testing.T) {
		r := s.do(ctx, `query($id: ID!) { order(id: $id) { _id userId total products { _id } } }`, map[string]any{"id": aliceOrder}, bob.auth())
		expectRefused(t, sys, r, "order", "NOT_FOUND")
		if strings.Contains(string(r.Body), alice.ID) || strings.Contains(string(r.Body), p.ID) {
			t.Errorf("bob's view of alice's order leaks: %s", r.Body)
		}
		r = s.do(ctx, `mutation($id: ID!) { cancelOrder(id: $id) { _id status } }`, map[string]any{"id": aliceOrder}, bob.auth())
		expectRefused(t, sys, r, "cancelOrder", "NOT_FOUND", "FORBIDDEN")
		var mine struct{ Orders []order }
		s.must(ctx, `{ orders { _id } }`, nil, bob.auth(), &mine)
		if len(mine.Orders) != 0 {
			t.Errorf("bob's orders include %+v", mine.Orders)
		}
		var u struct {
			User struct {
				Username string
				Email    *string
				Orders   []order
			}
		}
		s.must(ctx, `query($id: ID!) { user(id: $id) { username email orders { _id } } }`, map[string]any{"id": alice.ID}, bob.auth(), &u)
		if u.User.Email != nil || len(u.User.Orders) != 0 {
			t.Errorf("bob sees alice's email or orders: %+v", u.User)
		}
		// Alice's order is intact and still hers.
		var o struct{ Order order }
		s.must(ctx, `query($id: ID!) { order(id: $id) { `+orderFields+` } }`, map[string]any{"id": aliceOrder}, alice.auth(), &o)
		if o.Order.Status != "CONFIRMED" || o.Order.UserID != alice.ID {
			t.Errorf("alice's order after bob's attempts: %+v", o.Order)
		}
	})

	t.Run("login is rate limited", func(t *testing.T) {
		limited := false
		for i := 0; i < 60 && !limited; i++ {
			r := s.do(ctx, `mutation($in: LoginInput) { login(input: $in) { access_token } }`,
				map[string]any{"in": map[string]any{"username": bob.Username, "password": "guess-" + randHex(4)}}, nil)
			if r.Status == 429 {
				limited = true
				break
			}
			for _, c := range r.Codes() {
				if c != "UNAUTHENTICATED" {
					limited = true
				}
			}
			if !r.HasCode("UNAUTHENTICATED") && !limited {
				t.Fatalf("wrong password accepted or odd answer: %s", r.Body)
			}
		}
		if !limited {
			t.Errorf("60 wrong passwords for %s in a row were all answered UNAUTHENTICATED: no rate limit on login (there must be one per username and per client address)", bob.Username)
		}
	})
	sys.CheckAlive(t)
}

func jwtNum(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// expectRefused checks that field came back null with one of codes and
// that the error says nothing it should not.
func expectRefused(t *testing.T, sys *harness.System, r *harness.Response, field string, codes ...string) {
	t.Helper()
	if r.Status >= 500 {
		t.Errorf("%s: status %d: %s", field, r.Status, r.Body)
	}
	ok := false
	for _, c := range codes {
		if r.HasCode(c) {
			ok = true
		}
	}
	if !ok {
		t.Errorf("%s: codes %s, want one of %v: %s", field, codesOf(r), codes, r.Body)
	}
	var data map[string]any
	if r.Decode(&data) == nil && data[field] != nil {
		t.Errorf("%s: data returned despite the refusal: %s", field, r.Body)
	}
	body := string(r.Body)
	leaks := []string{sys.Secret, "goroutine", "panic", "mongo", "127.0.0.1", "stack"}
	for _, l := range leaks {
		if strings.Contains(strings.ToLower(body), strings.ToLower(l)) {
			t.Errorf("%s: response leaks %q: %s", field, l, body)
		}
	}
}

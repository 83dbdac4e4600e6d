package app

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

const (
	staffCreateOp = `mutation($in: StaffCreateInput!) { staffCreate(input: $in) { user { _id username isStaff scopes createdAt } errors { field code message } } }`
	staffUpdateOp = `mutation($id: ID!, $s: [StaffScope!]!) { staffUpdateScopes(userId: $id, scopes: $s) { user { _id scopes } errors { field code message } } }`
	loginOp       = `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { access_token user { isStaff scopes } } }`
)

type staffPayload struct {
	User *struct {
		ID        string   `json:"_id"`
		Username  string   `json:"username"`
		IsStaff   *bool    `json:"isStaff"`
		Scopes    []string `json:"scopes"`
		CreatedAt *string  `json:"createdAt"`
	} `json:"user"`
	Errors []struct {
		Field   *string `json:"field"`
		Code    string  `json:"code"`
		Message string  `json:"message"`
	} `json:"errors"`
}

func staffInput(name string, scopes ...string) map[string]any {
	if scopes == nil {
		scopes = []string{}
	}
	return map[string]any{"in": map[string]any{"username": name, "password": "password", "scopes": scopes}}
}

// staffLogin returns a token for username and the scope claim inside it.
func staffLogin(t *testing.T, url, username string) (tok, scope string) {
	t.Helper()
	r := decode[struct {
		Login struct {
			AccessToken string `json:"access_token"`
		} `json:"login"`
	}](t, gql(t, url, loginOp, map[string]any{"u": username, "p": "password"}, nil))
	tok = r.Login.AccessToken
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Scope string `json:"scope"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return tok, c.Scope
}

// TestStaffLifecycle: the admin key bootstraps a staff user with
// MANAGE_USERS, who then creates and changes other staff without the
// key; tokens carry the scopes; a customer is refused FORBIDDEN with the
// missing scope named, an anonymous caller UNAUTHENTICATED; changed
// scopes take effect in this service at once (token version); business
// errors come back typed in the payload with nothing written.
func TestStaffLifecycle(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	admin := map[string]string{"x-api-key": in.Config.AdminAPIKey}

	// Bootstrap with the admin key.
	boss := decode[struct {
		StaffCreate staffPayload `json:"staffCreate"`
	}](t, gql(t, in.URL, staffCreateOp, staffInput("boss", "MANAGE_USERS"), admin)).StaffCreate
	if boss.User == nil || len(boss.Errors) != 0 || !*boss.User.IsStaff || strings.Join(boss.User.Scopes, ",") != "MANAGE_USERS" || boss.User.CreatedAt == nil {
		t.Fatalf("staffCreate by admin key: %+v", boss)
	}
	bossTok, scope := staffLogin(t, in.URL, "boss")
	if scope != "MANAGE_USERS" {
		t.Fatalf("boss token scope = %q", scope)
	}

	// The staff user creates another staff user without the key.
	r := decode[struct {
		StaffCreate staffPayload `json:"staffCreate"`
	}](t, gql(t, in.URL, staffCreateOp, staffInput("clerk", "MANAGE_PRODUCTS", "MANAGE_ORDERS", "MANAGE_ORDERS"), bearer(bossTok))).StaffCreate
	if r.User == nil || strings.Join(r.User.Scopes, ",") != "MANAGE_ORDERS,MANAGE_PRODUCTS" {
		t.Fatalf("staffCreate by MANAGE_USERS: %+v", r)
	}
	clerkID := r.User.ID
	clerkTok, scope := staffLogin(t, in.URL, "clerk")
	if scope != "MANAGE_ORDERS MANAGE_PRODUCTS" {
		t.Fatalf("clerk token scope = %q", scope)
	}

	// Typed business errors, nothing written.
	for _, c := range []struct {
		vars map[string]any
		op   string
		code string
	}{
		{staffInput("clerk", "MANAGE_ORDERS"), staffCreateOp, "USERNAME_TAKEN"},
		{staffInput("x", "MANAGE_ORDERS"), staffCreateOp, "INVALID"},
		{staffInput("nobody-scoped"), staffCreateOp, "INVALID"},
		{map[string]any{"id": "0123456789abcdef01234567", "s": []string{"MANAGE_ORDERS"}}, staffUpdateOp, "NOT_FOUND"},
	} {
		raw := gql(t, in.URL, c.op, c.vars, admin)
		if len(raw.Errors) != 0 || !strings.Contains(string(raw.Data), `"code":"`+c.code+`"`) || !strings.Contains(string(raw.Data), `"user":null`) {
			t.Errorf("%v: %s %+v, want %s", c.vars, raw.Data, raw.Errors, c.code)
		}
	}
	if res := gql(t, in.URL, loginOp, map[string]any{"u": "nobody-scoped", "p": "password"}, nil); res.code() != "UNAUTHENTICATED" {
		t.Fatalf("an invalid staffCreate wrote a user: %s", res.Data)
	}

	// Access: customers FORBIDDEN naming the scope, anonymous UNAUTHENTICATED,
	// staff without MANAGE_USERS FORBIDDEN, a wrong key FORBIDDEN.
	customer := register(t, in.URL, "shopper", "password", nil)
	for who, h := range map[string]map[string]string{
		"customer": bearer(customer.Token), "clerk": bearer(clerkTok), "wrong key": {"x-api-key": "nope"}, "anonymous": nil,
	} {
		res := gql(t, in.URL, staffCreateOp, staffInput("intruder", "MANAGE_USERS"), h)
		want := "FORBIDDEN"
		if who == "anonymous" {
			want = "UNAUTHENTICATED"
		}
		if res.code() != want || string(res.Data) != "null" {
			t.Errorf("%s: %s %+v, want %s", who, res.Data, res.Errors, want)
		}
		if want == "FORBIDDEN" && who != "wrong key" {
			if rs, _ := res.Errors[0].Extensions["requiredScopes"].([]any); len(rs) != 1 || rs[0] != "MANAGE_USERS" {
				t.Errorf("%s: requiredScopes = %v", who, res.Errors[0].Extensions)
			}
		}
	}

	// isStaff and scopes: visible to the user themself and MANAGE_USERS.
	const meQ = `query($id: ID!) { user(id: $id) { isStaff scopes } }`
	for who, c := range map[string]struct {
		h    map[string]string
		want string
	}{
		"self":      {bearer(clerkTok), `{"user":{"isStaff":true,"scopes":["MANAGE_ORDERS","MANAGE_PRODUCTS"]}}`},
		"boss":      {bearer(bossTok), `{"user":{"isStaff":true,"scopes":["MANAGE_ORDERS","MANAGE_PRODUCTS"]}}`},
		"customer":  {bearer(customer.Token), `{"user":{"isStaff":null,"scopes":null}}`},
		"anonymous": {nil, `{"user":{"isStaff":null,"scopes":null}}`},
	} {
		if res := gql(t, in.URL, meQ, map[string]any{"id": clerkID}, c.h); string(res.Data) != c.want {
			t.Errorf("%s: %s %+v, want %s", who, res.Data, res.Errors, c.want)
		}
	}

	// Revocation: boss loses MANAGE_USERS; the token issued before stops
	// working here at once, a fresh login gets the new scopes.
	res := gql(t, in.URL, staffUpdateOp, map[string]any{"id": boss.User.ID, "s": []string{"MANAGE_ORDERS"}}, admin)
	if !strings.Contains(string(res.Data), `"scopes":["MANAGE_ORDERS"]`) {
		t.Fatalf("staffUpdateScopes: %s %+v", res.Data, res.Errors)
	}
	if res := gql(t, in.URL, staffCreateOp, staffInput("late", "MANAGE_USERS"), bearer(bossTok)); res.code() != "FORBIDDEN" {
		t.Fatalf("revoked token: %s %+v", res.Data, res.Errors)
	}
	if _, scope := staffLogin(t, in.URL, "boss"); scope != "MANAGE_ORDERS" {
		t.Fatalf("boss after update: scope %q", scope)
	}
	// The clerk's token is untouched by the boss's change.
	if res := gql(t, in.URL, meQ, map[string]any{"id": clerkID}, bearer(clerkTok)); !strings.Contains(string(res.Data), `"isStaff":true`) {
		t.Fatalf("clerk: %s", res.Data)
	}
}

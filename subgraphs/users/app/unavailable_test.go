package app

import (
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestDatabaseOutageIsUnavailable stops the database under a running
// service: every operation that needs it answers SERVICE_UNAVAILABLE with
// advice to retry, never an internal error or a driver message.
func TestDatabaseOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	infra := testenv.Fresh(t)
	in := start(t, options{infra: infra})
	s := register(t, in.URL, "otto", "password", nil)
	infra.Stack.Close()

	cred := map[string]any{"input": map[string]any{"username": "otto", "password": "password"}}
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		headers map[string]string
		advice  string
	}{
		{"registerUser", registerMutation, map[string]any{"input": map[string]any{"username": "olga", "password": "password"}}, nil, "log in"},
		{"login", `mutation($input: LoginInput) { login(input: $input) { access_token } }`, cred, nil, "try again"},
		{"users", `{ users { _id } }`, nil, nil, "try again"},
		{"user", `query($id: ID!) { user(id: $id) { _id } }`, map[string]any{"id": s.User.ID}, nil, "try again"},
		{"me", `{ me { _id } }`, nil, bearer(s.Token), "try again"},
		{"_entities", `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { _id username } } }`,
			map[string]any{"r": []any{map[string]any{"__typename": "User", "_id": s.User.ID}}}, nil, "try again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := gql(t, in.URL, tc.query, tc.vars, tc.headers)
			if r.code() != "SERVICE_UNAVAILABLE" {
				t.Fatalf("errors %+v, want SERVICE_UNAVAILABLE", r.Errors)
			}
			msg := r.Errors[0].Message
			if !strings.Contains(msg, tc.advice) || strings.Contains(msg, "server selection") || strings.Contains(msg, "deadline") {
				t.Fatalf("message %q: want advice %q and no driver detail", msg, tc.advice)
			}
		})
	}
}

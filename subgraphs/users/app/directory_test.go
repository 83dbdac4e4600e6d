package app

import (
	"testing"
)

const (
	testInternalSecret = "users-test-internal-secret-0123456789"
	// testAdminKey is the admin key where production needs one of its own.
	testAdminKey = "users-test-admin-key-9Qx2"
)

// TestUsersDirectory: production lists users to the admin key only
// (UNAUTHENTICATED without credentials, FORBIDDEN with others), while
// development keeps the seed's anonymous `users` query working;
// USERS_DIRECTORY overrides either default. Looking one user up by id
// (what federation does) stays open everywhere.
func TestUsersDirectory(t *testing.T) {
	t.Parallel()
	prod := map[string]string{"SHOP_ENV": "production", "BCRYPT_COST": "10", "INTERNAL_API_SECRET": testInternalSecret, "ADMIN_API_KEY": testAdminKey}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for kk, vv := range m {
			out[kk] = vv
		}
		return out
	}
	const seedUsers = "query Users {\nusers {\n_id\nusername\n}\n}"
	cases := []struct {
		name string
		vars map[string]string
		// want is the code of an anonymous, a user's and a wrong key's
		// `users`; "" = listed.
		anonymous, user, wrongKey string
	}{
		{"production default", prod, "UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN"},
		{"production, public", with(prod, "USERS_DIRECTORY", "public"), "", "", ""},
		{"development default", nil, "", "", ""},
		{"development, staff", map[string]string{"USERS_DIRECTORY": "staff"}, "UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := start(t, options{vars: c.vars})
			admin := map[string]string{"x-api-key": in.Config.AdminAPIKey}
			s := register(t, in.URL, "dora", "password", nil)
			for _, call := range []struct {
				who     string
				headers map[string]string
				want    string
			}{
				{"anonymous", nil, c.anonymous},
				{"user", bearer(s.Token), c.user},
				{"wrong key", map[string]string{"x-api-key": "not-the-key"}, c.wrongKey},
				{"admin", admin, ""},
			} {
				r := gql(t, in.URL, seedUsers, nil, call.headers)
				if call.want != "" {
					if r.code() != call.want || string(r.Data) != `{"users":null}` {
						t.Errorf("%s: %s %+v, want %s", call.who, r.Data, r.Errors, call.want)
					}
					continue
				}
				users := decode[struct {
					Users []userJSON `json:"users"`
				}](t, r).Users
				if len(users) != 1 || users[0].ID != s.User.ID || users[0].Username != "dora" {
					t.Errorf("%s: users = %+v, want dora", call.who, users)
				}
			}
			u := decode[struct {
				User *userJSON `json:"user"`
			}](t, gql(t, in.URL, `query($id: ID!) { user(id: $id) { _id username } }`, map[string]any{"id": s.User.ID}, nil))
			if u.User == nil || u.User.Username != "dora" {
				t.Errorf("anonymous user(id) = %+v", u.User)
			}
		})
	}
}

package app

import (
	"encoding/json"
	"testing"
)

// TestAccountPrivacy: a user sees every field of their own account; any
// other caller but an admin sees no more of it than _id and username,
// through every way of reaching a user: the users list, user(id), me and
// federation's _entities.
func TestAccountPrivacy(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	alice := register(t, in.URL, "alice_p", "password", ptr("alice@example.com"))
	bob := register(t, in.URL, "bob_p", "password", ptr("bob@example.com"))
	if alice.User.Email == nil || alice.User.CreatedAt == nil {
		t.Fatalf("registerUser hides the new user's own fields: %+v", alice.User)
	}

	const fields = `_id username email createdAt`
	type view = map[string]any
	lookups := map[string]func(headers map[string]string) view{
		"users": func(h map[string]string) view {
			r := gql(t, in.URL, `{ users { `+fields+` } }`, nil, h)
			for _, u := range decode[struct{ Users []view }](t, r).Users {
				if u["_id"] == alice.User.ID {
					return u
				}
			}
			t.Fatal("alice is not listed")
			return nil
		},
		"user(id)": func(h map[string]string) view {
			r := gql(t, in.URL, `query($id: ID!) { user(id: $id) { `+fields+` } }`, map[string]any{"id": alice.User.ID}, h)
			return decode[struct{ User view }](t, r).User
		},
		"_entities": func(h map[string]string) view {
			r := gql(t, in.URL, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { `+fields+` } } }`,
				map[string]any{"r": []any{map[string]any{"__typename": "User", "_id": alice.User.ID}}}, h)
			var out struct {
				Entities []view `json:"_entities"`
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 || len(out.Entities) != 1 {
				t.Fatalf("_entities: %s %+v (%v)", r.Data, r.Errors, err)
			}
			return out.Entities[0]
		},
	}
	callers := map[string]struct {
		headers map[string]string
		full    bool
	}{
		"alice herself": {bearer(alice.Token), true},
		"admin":         {map[string]string{"x-api-key": testSecret}, true},
		"bob":           {bearer(bob.Token), false},
		"anonymous":     {nil, false},
		"wrong key":     {map[string]string{"x-api-key": "not-the-key"}, false},
	}
	for who, c := range callers {
		for how, lookup := range lookups {
			u := lookup(c.headers)
			if u["_id"] != alice.User.ID || u["username"] != "alice_p" {
				t.Errorf("%s via %s: public fields %v", who, how, u)
			}
			for _, private := range []string{"email", "createdAt"} {
				if visible := u[private] != nil; visible != c.full {
					t.Errorf("%s via %s: %s = %v, want visible %v", who, how, private, u[private], c.full)
				}
			}
		}
	}
	me := decode[struct{ Me map[string]any }](t, gql(t, in.URL, `{ me { `+fields+` } }`, nil, bearer(alice.Token))).Me
	if me["email"] != "alice@example.com" || me["createdAt"] != *alice.User.CreatedAt {
		t.Errorf("me = %v", me)
	}
}

package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/mongox"
)

const loginMutation = `mutation($input: LoginInput) {
  login(input: $input) { access_token user { _id username email } }
}`

func TestLogin(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	reg := register(t, in.URL, "Carol", "s3cret-pass", ptr("carol@example.com"))

	for _, name := range []string{"Carol", "carol", "CAROL"} {
		r := gql(t, in.URL, loginMutation, map[string]any{"input": map[string]any{"username": name, "password": "s3cret-pass"}}, nil)
		s := decode[struct {
			S session `json:"login"`
		}](t, r).S
		if s.User.ID != reg.User.ID || s.User.Username != "Carol" || s.User.Email == nil || *s.User.Email != "carol@example.com" {
			t.Fatalf("login as %s: user = %+v", name, s.User)
		}
		me := decode[struct {
			Me userJSON `json:"me"`
		}](t, gql(t, in.URL, `{ me { _id username } }`, nil, bearer(s.Token)))
		if me.Me.ID != reg.User.ID {
			t.Fatalf("login token's me = %+v", me.Me)
		}
	}

	// Unknown user and wrong password must be indistinguishable.
	failures := map[string]map[string]any{
		"unknown user":      {"username": "nobody", "password": "s3cret-pass"},
		"wrong password":    {"username": "Carol", "password": "wrong-pass"},
		"empty password":    {"username": "Carol", "password": ""},
		"password over 72":  {"username": "Carol", "password": "s3cret-pass" + strings.Repeat("x", 70)},
		"invalid user name": {"username": "no such user!", "password": "s3cret-pass"},
	}
	var messages []string
	for name, input := range failures {
		r := gql(t, in.URL, loginMutation, map[string]any{"input": input}, nil)
		if r.code() != "UNAUTHENTICATED" || string(r.Data) != `{"login":null}` {
			t.Fatalf("%s: response = %s %+v, want UNAUTHENTICATED", name, r.Data, r.Errors)
		}
		messages = append(messages, r.Errors[0].Message)
	}
	for _, m := range messages {
		if m != messages[0] {
			t.Fatalf("login failure messages differ: %q", messages)
		}
	}
}

func TestMeTokenFailures(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	ok := register(t, in.URL, "dave", "password", nil)
	gone := register(t, in.URL, "gone", "password", nil)

	// Delete "gone" behind the service's back: its token stays valid but its user no longer exists.
	db := connect(t, in)
	oid, _ := primitive.ObjectIDFromHex(gone.User.ID)
	if _, err := db.Collection("users").DeleteOne(context.Background(), bson.D{{Key: "_id", Value: oid}}); err != nil {
		t.Fatal(err)
	}

	sign := func(m jwt.SigningMethod, key any, c auth.Claims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(id string, exp time.Time) auth.Claims {
		return auth.Claims{UserID: id, RegisteredClaims: jwt.RegisteredClaims{Subject: id, IssuedAt: jwt.NewNumericDate(exp.Add(-time.Hour)), ExpiresAt: jwt.NewNumericDate(exp)}}
	}
	future := time.Now().Add(time.Hour)
	secret := []byte(testSecret)
	tokens := auth.NewTokens(testSecret, time.Hour)
	never, _ := tokens.Issue(auth.Identity{UserID: primitive.NewObjectID().Hex()})
	notAnID, _ := tokens.Issue(auth.Identity{UserID: "not-an-object-id"})

	cases := map[string]map[string]string{
		"no token":           nil,
		"not bearer":         {"Authorization": "Basic " + ok.Token},
		"garbage":            bearer("garbage"),
		"tampered":           bearer(tamperSignature(ok.Token)),
		"expired":            bearer(sign(jwt.SigningMethodHS256, secret, claims(ok.User.ID, time.Now().Add(-time.Minute)))),
		"alg none":           bearer(sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(ok.User.ID, future))),
		"other secret":       bearer(sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-00"), claims(ok.User.ID, future))),
		"other algorithm":    bearer(sign(jwt.SigningMethodHS512, secret, claims(ok.User.ID, future))),
		"user deleted":       bearer(gone.Token),
		"user never existed": bearer(never),
		"malformed user id":  bearer(notAnID),
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := gql(t, in.URL, `{ me { _id username } }`, nil, h)
			if r.code() != "UNAUTHENTICATED" || string(r.Data) != `{"me":null}` {
				t.Fatalf("response = %s %+v, want UNAUTHENTICATED", r.Data, r.Errors)
			}
		})
	}
	me := decode[struct {
		Me userJSON `json:"me"`
	}](t, gql(t, in.URL, `{ me { _id username } }`, nil, bearer(ok.Token)))
	if me.Me.ID != ok.User.ID || me.Me.Username != "dave" {
		t.Fatalf("me = %+v", me.Me)
	}
}

func TestEmailPrivacy(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	erin := register(t, in.URL, "erin", "password", ptr("erin@example.com"))
	frank := register(t, in.URL, "frank", "password", ptr("frank@example.com"))
	nomail := register(t, in.URL, "nomail", "password", nil)

	admin := map[string]string{"x-api-key": testSecret}
	adminAlias := map[string]string{"x-api-token": testSecret}
	cases := map[string]struct {
		headers map[string]string
		want    map[string]string // username -> visible email ("" = null)
	}{
		"anonymous":       {nil, map[string]string{}},
		"owner erin":      {bearer(erin.Token), map[string]string{"erin": "erin@example.com"}},
		"owner frank":     {bearer(frank.Token), map[string]string{"frank": "frank@example.com"}},
		"user without":    {bearer(nomail.Token), map[string]string{}},
		"admin x-api-key": {admin, map[string]string{"erin": "erin@example.com", "frank": "frank@example.com"}},
		"admin alias":     {adminAlias, map[string]string{"erin": "erin@example.com", "frank": "frank@example.com"}},
		"wrong admin key": {map[string]string{"x-api-key": "nope"}, map[string]string{}},
	}
	entities := `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { _id username email } } }`
	reps := []any{
		map[string]any{"__typename": "User", "_id": erin.User.ID},
		map[string]any{"__typename": "User", "_id": frank.User.ID},
		map[string]any{"__typename": "User", "_id": nomail.User.ID},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check := func(where string, users []userJSON) {
				t.Helper()
				if len(users) != 3 {
					t.Fatalf("%s: %d users", where, len(users))
				}
				for _, u := range users {
					got := ""
					if u.Email != nil {
						got = *u.Email
					}
					if got != c.want[u.Username] {
						t.Errorf("%s: %s email = %q, want %q", where, u.Username, got, c.want[u.Username])
					}
				}
			}
			list := decode[struct {
				Users []userJSON `json:"users"`
			}](t, gql(t, in.URL, `{ users { _id username email } }`, nil, c.headers))
			check("users", list.Users)
			var one []userJSON
			for _, id := range []string{erin.User.ID, frank.User.ID, nomail.User.ID} {
				u := decode[struct {
					User userJSON `json:"user"`
				}](t, gql(t, in.URL, `query($id: ID!) { user(id: $id) { _id username email } }`, map[string]any{"id": id}, c.headers))
				one = append(one, u.User)
			}
			check("user(id)", one)
			ents := decode[struct {
				E []userJSON `json:"_entities"`
			}](t, gql(t, in.URL, entities, map[string]any{"r": reps}, c.headers))
			check("_entities", ents.E)
		})
	}
}

func TestUsersPagingAndLookup(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	var ids []string
	for _, n := range []string{"usr1", "usr2", "usr3"} {
		ids = append(ids, register(t, in.URL, n, "password", nil).User.ID)
	}
	page := func(args string) []string {
		r := decode[struct {
			Users []userJSON `json:"users"`
		}](t, gql(t, in.URL, `{ users`+args+` { _id username } }`, nil, nil))
		var names []string
		for _, u := range r.Users {
			names = append(names, u.Username)
		}
		return names
	}
	for args, want := range map[string]string{
		"":                         "usr1,usr2,usr3",
		"(skip: 1)":                "usr2,usr3",
		"(take: 2)":                "usr1,usr2",
		"(skip: 1, take: 1)":       "usr2",
		"(skip: 5)":                "",
		"(take: 0)":                "",
		"(take: 1000)":             "usr1,usr2,usr3",
		"(skip: null, take: null)": "usr1,usr2,usr3",
	} {
		if got := strings.Join(page(args), ","); got != want {
			t.Errorf("users%s = %q, want %q", args, got, want)
		}
	}
	for _, args := range []string{"(skip: -1)", "(take: -1)"} {
		if r := gql(t, in.URL, `{ users`+args+` { _id } }`, nil, nil); r.code() != "BAD_USER_INPUT" {
			t.Errorf("users%s errors = %+v, want BAD_USER_INPUT", args, r.Errors)
		}
	}
	lookup := `query($id: ID!) { user(id: $id) { _id username } }`
	u := decode[struct {
		User *userJSON `json:"user"`
	}](t, gql(t, in.URL, lookup, map[string]any{"id": ids[1]}, nil))
	if u.User == nil || u.User.Username != "usr2" {
		t.Fatalf("user(id) = %+v", u.User)
	}
	missing := decode[struct {
		User *userJSON `json:"user"`
	}](t, gql(t, in.URL, lookup, map[string]any{"id": primitive.NewObjectID().Hex()}, nil))
	if missing.User != nil {
		t.Fatalf("unknown id gave %+v", missing.User)
	}
	if r := gql(t, in.URL, lookup, map[string]any{"id": "xyz"}, nil); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("malformed id errors = %+v", r.Errors)
	}
}

// connect opens the instance's database directly, for checks and for faults
// the API cannot cause.
func connect(t *testing.T, in instance) *mongo.Database {
	t.Helper()
	client, db, err := mongox.Connect(context.Background(), in.Config.MongoURI, in.Config.MongoDB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := client.Disconnect(context.Background()); err != nil {
			t.Log(err)
		}
	})
	return db
}

// tamperSignature replaces the first character of tok's signature with a
// different one, which always changes the signature (a fixed suffix can
// equal the original, and the decoder ignores some bits of the last
// character).
func tamperSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 1
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

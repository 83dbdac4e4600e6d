package app

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopsupergraph/shop/platform/auth"
)

// TestSeedRegistration runs the seed operation verbatim.
func TestSeedRegistration(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	r := gql(t, in.URL, `mutation RegisterUser {
registerUser(input: { username: "arth", password: "password" }) {
access_token
}
}`, nil, nil)
	got := decode[struct {
		R struct {
			Token string `json:"access_token"`
		} `json:"registerUser"`
	}](t, r)
	var c auth.Claims
	if _, err := jwt.ParseWithClaims(got.R.Token, &c, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatalf("token does not verify with API_SECRET: %v", err)
	}
	if c.UserID == "" || c.Subject != c.UserID || c.IssuedAt == nil || c.ExpiresAt == nil {
		t.Fatalf("claims = %+v", c)
	}
	users := decode[struct {
		Users []userJSON `json:"users"`
	}](t, gql(t, in.URL, `query Users { users { _id username } }`, nil, nil))
	if len(users.Users) != 1 || users.Users[0].ID != c.UserID || users.Users[0].Username != "arth" {
		t.Fatalf("users = %+v, want arth with id %s", users.Users, c.UserID)
	}
}

func TestRegisterReturnsUser(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	before := time.Now().Add(-time.Second)
	s := register(t, in.URL, "Ann.Lee-1", "correct horse", ptr("ann@example.com"))
	if s.User.Username != "Ann.Lee-1" || len(s.User.ID) != 24 {
		t.Fatalf("user = %+v", s.User)
	}
	if s.User.Email == nil || *s.User.Email != "ann@example.com" {
		t.Fatalf("own email at registration = %v", s.User.Email)
	}
	if s.User.CreatedAt == nil {
		t.Fatal("own createdAt at registration is null")
	}
	ts, err := time.Parse(time.RFC3339, *s.User.CreatedAt)
	if err != nil || ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
		t.Fatalf("createdAt = %q (%v)", *s.User.CreatedAt, err)
	}
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	cases := map[string]struct {
		input map[string]any
		field string
	}{
		"username too short":   {map[string]any{"username": "ab", "password": "password"}, "username"},
		"username too long":    {map[string]any{"username": strings.Repeat("a", 33), "password": "password"}, "username"},
		"username with space":  {map[string]any{"username": "ann lee", "password": "password"}, "username"},
		"username non-ascii":   {map[string]any{"username": "аnn", "password": "password"}, "username"},
		"username empty":       {map[string]any{"username": "", "password": "password"}, "username"},
		"password too short":   {map[string]any{"username": "ann", "password": "1234567"}, "password"},
		"password over 72":     {map[string]any{"username": "ann", "password": strings.Repeat("p", 73)}, "password"},
		"password 72 bytes+1":  {map[string]any{"username": "ann", "password": strings.Repeat("é", 36) + "x"}, "password"},
		"email malformed":      {map[string]any{"username": "ann", "password": "password", "email": "not-an-email"}, "email"},
		"email display name":   {map[string]any{"username": "ann", "password": "password", "email": "Ann <ann@example.com>"}, "email"},
		"email empty":          {map[string]any{"username": "ann", "password": "password", "email": ""}, "email"},
		"email spaces":         {map[string]any{"username": "ann", "password": "password", "email": " ann@example.com"}, "email"},
		"missing input object": {nil, "input"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := gql(t, in.URL, registerMutation, map[string]any{"input": c.input}, nil)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("errors = %+v, want BAD_USER_INPUT on %s", r.Errors, c.field)
			}
		})
	}
	// Nothing invalid was stored: the one valid boundary case still registers.
	register(t, in.URL, "ann", strings.Repeat("p", 72), nil)
}

func TestDuplicateUsernameIgnoresCase(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	register(t, in.URL, "Bob", "password", nil)
	for _, name := range []string{"Bob", "bob", "BOB"} {
		r := gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": name, "password": "password"}}, nil)
		if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "taken") {
			t.Fatalf("%s: errors = %+v, want username taken", name, r.Errors)
		}
	}
}

// TestConcurrentRegistrationsOneWinner sends 50 registrations of one name in
// different letter cases at once: the unique index must let exactly one in.
func TestConcurrentRegistrationsOneWinner(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	const n = 50
	variants := []string{"racer", "Racer", "RACER", "rAcEr"}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		wins    int
		taken   int
		unknown []string
	)
	startGate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-startGate
			r := gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": variants[i%len(variants)], "password": "password"}}, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case len(r.Errors) == 0:
				wins++
			case r.code() == "BAD_USER_INPUT" && strings.Contains(r.Errors[0].Message, "taken"):
				taken++
			default:
				unknown = append(unknown, r.Errors[0].Message)
			}
		})
	}
	close(startGate)
	wg.Wait()
	if wins != 1 || taken != n-1 || len(unknown) > 0 {
		t.Fatalf("wins=%d taken=%d other=%v; want 1 winner and %d taken", wins, taken, unknown, n-1)
	}
	users := decode[struct {
		Users []userJSON `json:"users"`
	}](t, gql(t, in.URL, `{ users { _id username } }`, nil, nil))
	if len(users.Users) != 1 {
		t.Fatalf("stored users = %+v, want 1", users.Users)
	}
}

// TestLookAlikeUsernames: a spelling whose NFKC form is a valid username
// (the Kelvin sign U+212A for K, fullwidth letters) is that username, not
// a name of its own. It neither logs in to the account it imitates nor
// registers beside it: registration reports the name taken.
func TestLookAlikeUsernames(t *testing.T) {
	t.Parallel()
	in := start(t, options{})
	register(t, in.URL, "kelvin", "right-password", nil)
	for _, name := range []string{"\u212Aelvin", "\u212AELVIN", "ｋｅｌｖｉｎ", "Ｋelvin"} {
		r := gql(t, in.URL, loginMutation, map[string]any{"input": map[string]any{"username": name, "password": "right-password"}}, nil)
		if r.code() != "UNAUTHENTICATED" || string(r.Data) != `{"login":null}` {
			t.Errorf("login as %q with kelvin's password: %s %+v, want UNAUTHENTICATED", name, r.Data, r.Errors)
		}
		r = gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": name, "password": "password"}}, nil)
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "username" || !strings.Contains(r.Errors[0].Message, "taken") {
			t.Errorf("register %q beside kelvin: %+v, want the username taken", name, r.Errors)
		}
	}
	// A look-alike of a free name is refused as invalid, and the plain
	// spelling is still free afterwards.
	r := gql(t, in.URL, registerMutation, map[string]any{"input": map[string]any{"username": "\u212Aate", "password": "password"}}, nil)
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "username" || strings.Contains(r.Errors[0].Message, "taken") {
		t.Fatalf("register a look-alike of a free name: %+v, want an invalid username", r.Errors)
	}
	register(t, in.URL, "Kate", "password", nil)
	// The real name logs in, in any letter case.
	for _, name := range []string{"kelvin", "KELVIN"} {
		decode[struct {
			S session `json:"login"`
		}](t, gql(t, in.URL, loginMutation, map[string]any{"input": map[string]any{"username": name, "password": "right-password"}}, nil))
	}
}

package accounts

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/auth"
)

func TestValidateUsername(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"arth": true, "abc": true, strings.Repeat("a", 32): true, "A.b_c-9": true,
		"ab": false, strings.Repeat("a", 33): false, "": false, "ann lee": false, " ann": false,
		"ann!": false, "аnn": false, "ann\x00": false, "名前です": false,
	}
	for in, ok := range cases {
		if err := ValidateUsername(in); (err == nil) != ok {
			t.Errorf("ValidateUsername(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"password": true, strings.Repeat("x", 72): true, strings.Repeat("é", 36): true,
		"1234567": false, "": false, strings.Repeat("x", 73): false, strings.Repeat("é", 36) + "x": false,
	}
	for in, ok := range cases {
		err := ValidatePassword(in)
		if (err == nil) != ok {
			t.Errorf("ValidatePassword(%d bytes) = %v, want ok=%v", len(in), err, ok)
		}
		var ve *ValidationError
		if err != nil && (!errors.As(err, &ve) || ve.Field != "password") {
			t.Errorf("error %v is not a password ValidationError", err)
		}
	}
}

func TestValidateEmail(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"ann@example.com": true, "a.b+c@sub.example.org": true,
		"": false, "ann": false, "ann@": false, "@example.com": false, "Ann <ann@example.com>": false,
		" ann@example.com": false, "ann@example.com ": false, strings.Repeat("a", 250) + "@x.io": false,
	}
	for in, ok := range cases {
		if err := ValidateEmail(in); (err == nil) != ok {
			t.Errorf("ValidateEmail(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	p := func(v int) *int { return &v }
	cases := []struct {
		skip, take         *int
		wantSkip, wantTake int
		wantErr            bool
	}{
		{nil, nil, 0, DefaultTake, false},
		{p(5), p(10), 5, 10, false},
		{nil, p(MaxTake + 1), 0, MaxTake, false},
		{nil, p(0), 0, 0, false},
		{p(-1), nil, 0, 0, true},
		{nil, p(-1), 0, 0, true},
	}
	for _, c := range cases {
		s, tk, err := Page(c.skip, c.take)
		if (err != nil) != c.wantErr || s != c.wantSkip || tk != c.wantTake {
			t.Errorf("Page(%v, %v) = %d, %d, %v", c.skip, c.take, s, tk, err)
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	t.Parallel()
	if NormalizeUsername("ArTh") != NormalizeUsername("arth") || NormalizeUsername("arth") != "arth" {
		t.Fatal("usernames differing in case must normalize alike")
	}
	// Compatibility spellings share the key of the name they imitate.
	for _, in := range []string{"\u212Aelvin", "ＫＥＬＶＩＮ", "ｋｅｌｖｉｎ"} {
		if got := NormalizeUsername(in); got != "kelvin" {
			t.Errorf("NormalizeUsername(%q) = %q, want kelvin", in, got)
		}
	}
	if got := NormalizeUsername("\ufb01sh"); got != "fish" {
		t.Errorf("ligature: %q", got)
	}
}

func TestLookAlike(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"\u212Aelvin": true, "ｋｅｌｖｉｎ": true, "\ufb01sh": true,
		"kelvin": false, "Kelvin": false, // valid names themselves
		"аnn": false, "名前です": false, "\u212A": false, "ann lee": false, // invalid even after NFKC
	}
	for in, want := range cases {
		if got := LookAlike(in); got != want {
			t.Errorf("LookAlike(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCanSeeAccount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p    auth.Principal
		want bool
	}{
		{auth.Principal{}, false},
		{auth.Principal{UserID: "u1"}, true},
		{auth.Principal{UserID: "u2"}, false},
		{auth.Principal{Admin: true}, true},
		{auth.Principal{KeyPresented: true}, false},
		{auth.Principal{TokenErr: auth.ErrInvalidToken}, false},
	}
	for _, c := range cases {
		if got := CanSeeAccount(c.p, "u1"); got != c.want {
			t.Errorf("CanSeeAccount(%+v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestDirectory(t *testing.T) {
	t.Parallel()
	if _, err := ParseDirectory("everyone"); err == nil {
		t.Fatal("unknown directory accepted")
	}
	cases := []struct {
		p             auth.Principal
		public, staff error
	}{
		{auth.Principal{}, nil, ErrAdminKeyRequired},
		{auth.Principal{UserID: "u1"}, nil, ErrForbidden},
		{auth.Principal{TokenErr: auth.ErrInvalidToken}, nil, ErrForbidden},
		{auth.Principal{KeyPresented: true}, nil, ErrForbidden},
		{auth.Principal{KeyPresented: true, Admin: true}, nil, nil},
	}
	for _, c := range cases {
		if got := DirectoryPublic.mayList(c.p); !errors.Is(got, c.public) {
			t.Errorf("public, %+v: %v", c.p, got)
		}
		if got := DirectoryStaff.mayList(c.p); !errors.Is(got, c.staff) {
			t.Errorf("staff, %+v: %v", c.p, got)
		}
	}
}

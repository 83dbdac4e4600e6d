package ordering

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 12, 0, 0, 123_456_789, time.UTC)
	o := Order{ID: "6b1013d98c1fc2f6e856166f", CreatedAt: at, Total: 4_000_000_003}
	for _, f := range []SortField{SortCreated, SortTotal} {
		c := CursorOf(f, o)
		got, err := DecodeCursor(f, "after", c.Encode())
		if err != nil || got != c {
			t.Fatalf("%s: decode(encode(%+v)) = %+v, %v", f, c, got, err)
		}
		if strings.ContainsAny(c.Encode(), "+/=") {
			t.Fatalf("%s: cursor %q is not base64url without padding", f, c.Encode())
		}
	}
	if k := CursorOf(SortCreated, o).Key; k != at.UnixMilli() {
		t.Fatalf("created key %d, want milliseconds %d", k, at.UnixMilli())
	}
	if k := CursorOf(SortTotal, o).Key; k != 4_000_000_003 {
		t.Fatalf("total key %d", k)
	}
}

func TestDecodeCursorRefuses(t *testing.T) {
	t.Parallel()
	good := Cursor{Sort: SortCreated, Key: 1, ID: "6b1013d98c1fc2f6e856166f"}.Encode()
	for _, tc := range []struct{ name, sort, cursor string }{
		{"not base64", "CREATED", "@@@"},
		{"empty", "CREATED", ""},
		{"other sort", "TOTAL", good},
		{"two parts", "CREATED", b64("CREATED:1")},
		{"four parts", "CREATED", b64("CREATED:1:6b1013d98c1fc2f6e856166f:x")},
		{"bad key", "CREATED", b64("CREATED:x:6b1013d98c1fc2f6e856166f")},
		{"bad id", "CREATED", b64("CREATED:1:nope")},
	} {
		_, err := DecodeCursor(SortField(tc.sort), "before", tc.cursor)
		var in *InputError
		if !errors.As(err, &in) || in.Field != "before" {
			t.Errorf("%s: err %v, want an InputError about before", tc.name, err)
		}
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestPageQuery(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	cur := Cursor{Sort: SortCreated, Key: 5, ID: "6b1013d98c1fc2f6e856166f"}.Encode()
	later, earlier := time.Unix(20, 0), time.Unix(10, 0)
	tests := []struct {
		name         string
		a            PageArgs
		wantLimit    int
		wantDesc     bool
		wantBackward bool
		wantAfter    bool
		wantErr      string
	}{
		{name: "defaults", a: PageArgs{Desc: true}, wantLimit: DefaultPage, wantDesc: true},
		{name: "first after", a: PageArgs{First: n(5), After: s(cur), Desc: true}, wantLimit: 5, wantDesc: true, wantAfter: true},
		{name: "last before flips", a: PageArgs{Last: n(3), Before: s(cur), Desc: true}, wantLimit: 3, wantBackward: true, wantAfter: true},
		{name: "before alone is backward", a: PageArgs{Before: s(cur)}, wantLimit: DefaultPage, wantDesc: true, wantBackward: true, wantAfter: true},
		{name: "maximum", a: PageArgs{First: n(MaxPage)}, wantLimit: MaxPage},
		{name: "zero", a: PageArgs{First: n(0)}, wantLimit: 0},
		{name: "over the maximum", a: PageArgs{First: n(MaxPage + 1)}, wantErr: "100"},
		{name: "last over the maximum", a: PageArgs{Last: n(1000)}, wantErr: "100"},
		{name: "negative", a: PageArgs{First: n(-1)}, wantErr: "first"},
		{name: "both", a: PageArgs{First: n(1), Last: n(1)}, wantErr: "not both"},
		{name: "bad cursor", a: PageArgs{After: s("x")}, wantErr: "after"},
		{name: "empty range", a: PageArgs{Filter: Filter{From: &later, To: &earlier}}, wantErr: "createdAt"},
	}
	for _, tc := range tests {
		q, backward, err := pageQuery(tc.a)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want one mentioning %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || q.Limit != tc.wantLimit || q.Desc != tc.wantDesc || backward != tc.wantBackward || (q.After != nil) != tc.wantAfter || q.Sort != SortCreated {
			t.Errorf("%s: %+v backward %v err %v", tc.name, q, backward, err)
		}
	}
}

func TestPrecedesAndMatches(t *testing.T) {
	t.Parallel()
	a, b, c := Cursor{Key: 1, ID: "a"}, Cursor{Key: 1, ID: "b"}, Cursor{Key: 2, ID: "a"}
	if !precedes(false, a, b) || !precedes(false, b, c) || precedes(false, b, a) || precedes(false, a, a) {
		t.Fatal("ascending order wrong")
	}
	if !precedes(true, c, b) || !precedes(true, b, a) || precedes(true, a, b) {
		t.Fatal("descending order wrong")
	}
	at := time.Unix(100, 0)
	o := Order{UserID: "u", Status: StatusConfirmed, CreatedAt: at}
	before, after := at.Add(-time.Second), at.Add(time.Second)
	for _, tc := range []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{Status: StatusConfirmed, UserID: "u", From: &at, To: &at}, true},
		{Filter{Status: StatusCancelled}, false},
		{Filter{UserID: "v"}, false},
		{Filter{From: &after}, false},
		{Filter{To: &before}, false},
	} {
		if got := tc.f.Matches(o); got != tc.want {
			t.Errorf("%+v matches = %v, want %v", tc.f, got, tc.want)
		}
	}
}

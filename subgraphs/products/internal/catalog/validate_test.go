package catalog

import (
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

func TestValidImages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url   string
		field string // "" when valid
	}{
		{"https://img.example.com/a.png", ""},
		{"  https://img.example.com/a.png?size=2  ", ""},
		{"http://img.example.com/a.png", "images[0].url"},
		{"/a.png", "images[0].url"},
		{"https://", "images[0].url"},
		{"https://user:pw@img.example.com/a.png", "images[0].url"},
		{"https://img.example.com/a b.png", "images[0].url"},
		{"javascript:alert(1)", "images[0].url"},
		{"", "images[0].url"},
		{"https://img.example.com/" + strings.Repeat("a", MaxImageURLLen), "images[0].url"},
	}
	for _, c := range cases {
		got, err := validImages("images", []Image{{URL: c.url, Alt: "x"}})
		var ie *input.Error
		switch {
		case c.field == "" && (err != nil || len(got) != 1 || got[0].URL != strings.TrimSpace(c.url)):
			t.Errorf("%q: %v %v, want accepted", c.url, got, err)
		case c.field != "" && (err == nil || !asInput(err, &ie) || ie.Field != c.field):
			t.Errorf("%q: %v, want refused on %s", c.url, err, c.field)
		}
	}
}

func asInput(err error, target **input.Error) bool {
	e, ok := err.(*input.Error) //nolint:errorlint // validation returns *input.Error itself
	*target = e
	return ok
}

func TestValidSKUAndAttributes(t *testing.T) {
	t.Parallel()
	for sku, ok := range map[string]bool{"TSHIRT-XL": true, "a.b_c/d-1": true, "": false, "-X": false, "a b": false, strings.Repeat("x", MaxSKULen+1): false} {
		if _, err := validSKU("sku", sku); (err == nil) != ok {
			t.Errorf("validSKU(%q) = %v, want ok=%v", sku, err, ok)
		}
	}
	if _, err := validSKU("sku", ""); !input.IsRequired(err) {
		t.Errorf("empty sku: %v, want a REQUIRED error", err)
	}
	if _, err := validAttributes("attributes", []Attribute{{"Color", "red"}, {"color", "blue"}}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate attribute names (ignoring case): %v", err)
	}
	got, err := validAttributes("attributes", []Attribute{{" size ", " XL "}})
	if err != nil || got[0] != (Attribute{"size", "XL"}) {
		t.Errorf("trimmed attribute = %v %v", got, err)
	}
	if err := validPrice("price", input.MaxInt+1); err == nil {
		t.Error("a price above GraphQL Int was accepted")
	}
}

func TestCursorRoundTripAndRefusals(t *testing.T) {
	t.Parallel()
	p := Product{ID: "64b7f0c2a1b2c3d4e5f60718", Name: "tea", Price: 450, CreatedAt: time.Date(2026, 12, 2, 12, 0, 0, 123e6, time.UTC)}
	for _, f := range []SortField{SortName, SortPrice, SortCreated} {
		c := CursorOf(f, p)
		got, err := DecodeCursor("after", c.Encode(), f)
		if err != nil || *got != c {
			t.Errorf("%s: round trip %+v %v, want %+v", f, got, err, c)
		}
		other := SortName
		if f == SortName {
			other = SortPrice
		}
		if _, err := DecodeCursor("after", c.Encode(), other); err == nil {
			t.Errorf("%s cursor accepted for sort %s", f, other)
		}
	}
	for _, bad := range []string{"", "!!", "bm90IGpzb24", CursorOf(SortName, Product{ID: "nope"}).Encode()} {
		if _, err := DecodeCursor("after", bad, SortName); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
}

func TestValidPage(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	var q PageQuery
	if err := ValidPage(PageArgs{}, &q); err != nil || q.First != DefaultPage {
		t.Errorf("defaults: %+v %v", q, err)
	}
	for _, a := range []PageArgs{{First: n(MaxPage + 1)}, {Last: n(MaxPage + 1)}, {First: n(-1)}, {First: n(1), Last: n(1)}} {
		var q PageQuery
		if err := ValidPage(a, &q); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
}

func TestTreeSubtreeAndMoves(t *testing.T) {
	t.Parallel()
	tree := newTree([]Category{
		{ID: "a", Slug: "home"}, {ID: "b", Slug: "lamps", ParentID: "a"}, {ID: "c", Slug: "desk", ParentID: "b"}, {ID: "d", Slug: "garden"},
	})
	if got := strings.Join(tree.Subtree("a"), ","); got != "a,b,c" {
		t.Errorf("subtree of home = %s", got)
	}
	s := &CategoryService{}
	home, _ := tree.ByID("a")
	desk := "desk"
	if err := s.apply(tree, &home, CategoryInput{ParentSlug: &desk}); err == nil {
		t.Error("a category was moved under its own descendant")
	}
	lamps := "lamps"
	if err := s.apply(tree, &home, CategoryInput{Slug: &lamps}); err != ErrDuplicateSlug { //nolint:errorlint // apply returns the sentinel itself
		t.Errorf("taking another category's slug: %v", err)
	}
	bad := "Not A Slug"
	if err := s.apply(tree, &home, CategoryInput{Slug: &bad}); err == nil {
		t.Error("a malformed slug was accepted")
	}
}

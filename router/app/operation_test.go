package app

import "testing"

func TestOperationOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		query, name   string
		typ, wantName string
	}{
		{`{ products { id } }`, "", "query", ""},
		{`query Products { products { id } }`, "", "query", "Products"},
		{`mutation PlaceOrder($p: [Line!]!) { placeOrder(products: $p) { _id } }`, "", "mutation", "PlaceOrder"},
		{`subscription { inventoryUpdated { id } }`, "", "subscription", ""},
		{"fragment F on Product { id }\nquery Q($a: Int = 1) @x { ...F }\nmutation M { m { id } }", "M", "mutation", "M"},
		{"fragment F on Product { id }\nquery Q { ...F }", "", "query", "Q"},
		{`query A { a(x: {y: [1, 2]}) { b } } query B { b }`, "B", "query", "B"},
		{`query A { a }`, "Missing", "", "Missing"},
		{`not graphql {`, "", "", ""},
		{`{ a } query B { b }`, "B", "query", "B"},
	} {
		typ, name := operationOf(c.query, c.name)
		if typ != c.typ || name != c.wantName {
			t.Errorf("operationOf(%q, %q) = %q, %q; want %q, %q", c.query, c.name, typ, name, c.typ, c.wantName)
		}
	}
}

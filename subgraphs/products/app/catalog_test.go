package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/testenv"
)

type connection struct {
	Edges []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			Name  string `json:"name"`
			Price int    `json:"price"`
		} `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
	TotalCount int `json:"totalCount"`
}

func (c connection) names() []string {
	out := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node.Name
	}
	return out
}

const connQuery = `query($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter, $sort: ProductSort){
	productsConnection(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sort){
		edges { cursor node { name price } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`

func (in *instance) page(t testing.TB, vars map[string]any) (connection, gqlResponse) {
	t.Helper()
	r := in.gql(t, connQuery, vars)
	var c connection
	_ = json.Unmarshal(r.Data["productsConnection"], &c)
	return c, r
}

// (in *instance) category creates a category as admin.
func (in *instance) category(t testing.TB, name, slug, parent string) string {
	t.Helper()
	input := map[string]any{"name": name, "slug": slug}
	if parent != "" {
		input["parent"] = parent
	}
	r := in.gql(t, `mutation($in: CategoryCreateInput!){ categoryCreate(input: $in){ category { id } errors { code field } } }`, map[string]any{"in": input}, admin()...)
	var p struct {
		Category *struct {
			ID string `json:"id"`
		} `json:"category"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data["categoryCreate"], &p) != nil || p.Category == nil {
		t.Fatalf("create category %s: %s %+v", slug, r.Data["categoryCreate"], r.Errors)
	}
	return p.Category.ID
}

// The category tree, and the product connection over it: filters
// (category with descendants, price range, text in name or description),
// sorts, cursors forward and backward that stay valid when products are
// added, and refused arguments.
func TestCategoriesAndProductConnection(t *testing.T) {
	t.Parallel()
	in := start(t, testenv.Get(t), newShared())
	food := in.category(t, "Food", "food", "")
	in.category(t, "Sweets", "sweets", "food")
	in.category(t, "Tea", "tea", "food")
	in.category(t, "Clothes", "clothes", "")

	r := in.gql(t, `mutation($in: CategoryCreateInput!){ categoryCreate(input: $in){ category { id } errors { code field } } }`,
		map[string]any{"in": map[string]any{"name": "Again", "slug": "tea"}}, admin()...)
	if string(r.Data["categoryCreate"]) != `{"category":null,"errors":[{"code":"DUPLICATED_SLUG","field":"slug"}]}` {
		t.Fatalf("duplicate slug: %s %+v", r.Data["categoryCreate"], r.Errors)
	}
	r = in.gql(t, `mutation($id: ID!){ categoryDelete(id: $id){ category { id } errors { code } } }`, map[string]any{"id": food}, admin()...)
	if string(r.Data["categoryDelete"]) != `{"category":null,"errors":[{"code":"CATEGORY_NOT_EMPTY"}]}` {
		t.Fatalf("delete a category with children: %s %+v", r.Data["categoryDelete"], r.Errors)
	}
	r = in.gql(t, `{ categories { slug children { slug parent { slug } } } category(slug: "tea") { name parent { slug } } }`, nil)
	if string(r.Data["categories"]) != `[{"slug":"clothes","children":[]},{"slug":"food","children":[{"slug":"sweets","parent":{"slug":"food"}},{"slug":"tea","parent":{"slug":"food"}}]}]` ||
		string(r.Data["category"]) != `{"name":"Tea","parent":{"slug":"food"}}` {
		t.Fatalf("tree: %s %s %+v", r.Data["categories"], r.Data["category"], r.Errors)
	}

	create := `mutation($in: ProductCreateInput!){ productCreate(input: $in){ product { _id } errors { code field } } }`
	products := []struct {
		name, desc string
		price      int
		cats       []string
	}{
		{"apple pie", "baked", 900, []string{"sweets"}},
		{"green tea", "a leafy drink", 400, []string{"tea"}},
		{"black tea", "strong, with a hint of CHOCOLATE", 450, []string{"tea"}},
		{"chocolate bar", "dark", 250, []string{"sweets"}},
		{"flour", "for baking", 150, []string{"food"}},
		{"scarf", "wool", 2500, []string{"clothes"}},
		{"tea towel", "cotton", 700, []string{"clothes", "tea"}},
	}
	for _, p := range products {
		r := in.gql(t, create, map[string]any{"in": map[string]any{"name": p.name, "description": p.desc, "price": p.price, "quantity": 1, "categories": p.cats}}, admin()...)
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data["productCreate"]), `"errors":[]`) {
			t.Fatalf("create %s: %s %+v", p.name, r.Data["productCreate"], r.Errors)
		}
	}
	in.create(t, "uncategorised", 50, 1)

	byPrice := map[string]any{"field": "PRICE", "direction": "ASC"}
	cases := []struct {
		name   string
		vars   map[string]any
		want   string
		total  int
		hasNxt bool
	}{
		{"food and below, by price", map[string]any{"filter": map[string]any{"category": "food"}, "sort": byPrice},
			"flour,chocolate bar,green tea,black tea,tea towel,apple pie", 6, false},
		{"tea, by name descending", map[string]any{"filter": map[string]any{"category": "tea"}, "sort": map[string]any{"field": "NAME", "direction": "DESC"}},
			"tea towel,green tea,black tea", 3, false},
		{"price range", map[string]any{"filter": map[string]any{"priceRange": map[string]any{"gte": 400, "lte": 900}}, "sort": byPrice},
			"green tea,black tea,tea towel,apple pie", 4, false},
		{"search in name or description", map[string]any{"filter": map[string]any{"search": "chocolate"}, "sort": byPrice},
			"chocolate bar,black tea", 2, false},
		{"unknown category", map[string]any{"filter": map[string]any{"category": "nowhere"}}, "", 0, false},
		{"first two by creation", map[string]any{"first": 2}, "apple pie,green tea", 8, true},
	}
	for _, c := range cases {
		conn, r := in.page(t, c.vars)
		if got := strings.Join(conn.names(), ","); len(r.Errors) > 0 || got != c.want || conn.TotalCount != c.total || conn.PageInfo.HasNextPage != c.hasNxt {
			t.Errorf("%s: %q total %d next %v %+v, want %q total %d next %v", c.name, got, conn.TotalCount, conn.PageInfo.HasNextPage, r.Errors, c.want, c.total, c.hasNxt)
		}
	}

	// Walk every product three at a time by price, forward; a product
	// added mid-walk (cheaper than the cursor) neither repeats nor shifts
	// the rest.
	var walked []string
	var after any
	for i := 0; ; i++ {
		conn, r := in.page(t, map[string]any{"first": 3, "after": after, "sort": byPrice})
		if len(r.Errors) > 0 {
			t.Fatalf("walk: %+v", r.Errors)
		}
		walked = append(walked, conn.names()...)
		if i == 0 {
			in.create(t, "cheap sticker", 10, 1)
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		after = *conn.PageInfo.EndCursor
	}
	if got := strings.Join(walked, ","); got != "uncategorised,flour,chocolate bar,green tea,black tea,tea towel,apple pie,scarf" {
		t.Fatalf("forward walk = %s", got)
	}
	// And backward from the end with last/before.
	var back []string
	var before any
	for {
		conn, r := in.page(t, map[string]any{"last": 4, "before": before, "sort": byPrice})
		if len(r.Errors) > 0 {
			t.Fatalf("backward walk: %+v", r.Errors)
		}
		back = append(conn.names(), back...)
		if !conn.PageInfo.HasPreviousPage {
			break
		}
		before = *conn.PageInfo.StartCursor
	}
	if got := strings.Join(back, ","); got != "cheap sticker,uncategorised,flour,chocolate bar,green tea,black tea,tea towel,apple pie,scarf" {
		t.Fatalf("backward walk = %s", got)
	}

	// Category.products pages the same way.
	r = in.gql(t, `{ category(slug: "food") { products(first: 2, sortBy: {field: PRICE}) { nodes { name } totalCount pageInfo { hasNextPage } } } }`, nil)
	if string(r.Data["category"]) != `{"products":{"nodes":[{"name":"flour"},{"name":"chocolate bar"}],"totalCount":6,"pageInfo":{"hasNextPage":true}}}` {
		t.Fatalf("category products: %s %+v", r.Data["category"], r.Errors)
	}

	nameCursor := func() string {
		c, _ := in.page(t, map[string]any{"first": 1, "sort": map[string]any{"field": "NAME"}})
		return c.Edges[0].Cursor
	}()
	for _, c := range []struct {
		name string
		vars map[string]any
		msg  string
	}{
		{"page too large", map[string]any{"first": 101}, "100"},
		{"last too large", map[string]any{"last": 500}, "100"},
		{"negative", map[string]any{"first": -1}, "100"},
		{"both first and last", map[string]any{"first": 1, "last": 1}, "not both"},
		{"malformed cursor", map[string]any{"after": "not a cursor!"}, "cursor"},
		{"cursor of another sort", map[string]any{"after": nameCursor, "sort": byPrice}, "another sort"},
		{"inverted price range", map[string]any{"filter": map[string]any{"priceRange": map[string]any{"gte": 10, "lte": 5}}}, "gte"},
		{"long search", map[string]any{"filter": map[string]any{"search": strings.Repeat("x", 101)}}, "100"},
	} {
		_, r := in.page(t, c.vars)
		if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, c.msg) {
			t.Errorf("%s: %+v, want BAD_USER_INPUT mentioning %q", c.name, r.Errors, c.msg)
		}
	}

	// Moving a category moves its products' place in the tree.
	r = in.gql(t, fmt.Sprintf(`mutation { categoryUpdate(id: %q, input: {parent: "clothes"}) { category { slug } errors { code } } }`, food), nil, admin()...)
	if len(r.Errors) > 0 || string(r.Data["categoryUpdate"]) != `{"category":{"slug":"food"},"errors":[]}` {
		t.Fatalf("move food: %s %+v", r.Data["categoryUpdate"], r.Errors)
	}
	if conn, _ := in.page(t, map[string]any{"filter": map[string]any{"category": "clothes"}}); conn.TotalCount != 7 {
		t.Fatalf("clothes after food moved under it: %d products, want 7 (the tea towel is in both)", conn.TotalCount)
	}
}

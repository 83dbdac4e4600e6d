package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// A shopper browses a category with filters and cursors through the
// router. The catalog is written as staff against the products subgraph
// directly with the admin key: catalog mutations declare
// @requiresScopes(MANAGE_PRODUCTS), which the router enforces before it
// plans, and the reads need no credentials.
func TestBrowseACategoryWithFiltersAndCursors(t *testing.T) {
	sys := harness.Start(t, bins, harness.Options{})
	ctx := context.Background()
	staff := &shop{t: t, c: harness.NewClient(sys.Products[0].GraphQL()), admin: map[string]string{"x-api-key": sys.AdminKey}}
	shopper := newShop(t, sys, 0)

	for _, c := range []map[string]any{
		{"name": "Home", "slug": "home"},
		{"name": "Lamps", "slug": "lamps", "parent": "home"},
		{"name": "Garden", "slug": "garden"},
	} {
		var out struct {
			CategoryCreate struct{ Errors []map[string]any }
		}
		staff.must(ctx, `mutation($in: CategoryCreateInput!){ categoryCreate(input: $in){ errors { code } } }`, map[string]any{"in": c}, staff.admin, &out)
		if len(out.CategoryCreate.Errors) > 0 {
			t.Fatalf("category %v: %v", c, out.CategoryCreate.Errors)
		}
	}
	var lampID string
	for _, p := range []struct {
		name, desc string
		price      int
		cat        string
	}{
		{"desk lamp", "a bright reading light", 3500, "lamps"},
		{"floor lamp", "tall", 8900, "lamps"},
		{"cushion", "soft, goes with any lamp", 1200, "home"},
		{"rug", "woven", 15000, "home"},
		{"vase", "glass", 2500, "home"},
		{"spade", "steel", 2900, "garden"},
	} {
		var out struct {
			ProductCreate struct {
				Product struct {
					ID string `json:"_id"`
				}
				Errors []map[string]any
			}
		}
		staff.must(ctx, `mutation($in: ProductCreateInput!){ productCreate(input: $in){ product { _id } errors { code field } } }`,
			map[string]any{"in": map[string]any{"name": p.name, "description": p.desc, "price": p.price, "quantity": 5, "categories": []string{p.cat},
				"images": []map[string]any{{"url": "https://img.example.com/" + strings.ReplaceAll(p.name, " ", "-") + ".png"}}}}, staff.admin, &out)
		if len(out.ProductCreate.Errors) > 0 {
			t.Fatalf("product %s: %v", p.name, out.ProductCreate.Errors)
		}
		if p.name == "desk lamp" {
			lampID = out.ProductCreate.Product.ID
		}
	}
	staff.must(ctx, `mutation($id: ID!){ productVariantCreate(input: {productId: $id, sku: "LAMP-BRASS", name: "brass", price: 4200, quantity: 2,
		attributes: [{name: "finish", value: "brass"}]}){ errors { code } } }`, map[string]any{"id": lampID}, staff.admin, nil)

	// The tree, through the router.
	var tree struct {
		Category struct {
			Name     string
			Children []struct{ Slug string }
		}
	}
	shopper.must(ctx, `{ category(slug: "home") { name children { slug } } }`, nil, nil, &tree)
	if tree.Category.Name != "Home" || len(tree.Category.Children) != 1 || tree.Category.Children[0].Slug != "lamps" {
		t.Fatalf("home = %+v", tree.Category)
	}

	// Home and below, 1,000 to 10,000 cents, cheapest first, two at a time.
	q := `query($after: String){ productsConnection(first: 2, after: $after, filter: {category: "home", priceRange: {gte: 1000, lte: 10000}},
		sortBy: {field: PRICE, direction: ASC}){ totalCount pageInfo { hasNextPage endCursor }
		nodes { name price priceMoney { amount currency } quantity images { url } variants { sku price { amount } quantity attributes { value } } } } }`
	type node struct {
		Name       string
		Price      int
		PriceMoney struct{ Amount, Currency string }
		Quantity   int
		Variants   []struct {
			SKU   string
			Price struct{ Amount string }
		}
	}
	var names []string
	var lamp *node
	var after any
	for pages := 0; ; pages++ {
		var out struct {
			ProductsConnection struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Nodes []node
			}
		}
		shopper.must(ctx, q, map[string]any{"after": after}, nil, &out)
		pc := out.ProductsConnection
		if pc.TotalCount != 4 || len(pc.Nodes) > 2 || pages > 3 {
			t.Fatalf("page %d: total %d, %d nodes", pages, pc.TotalCount, len(pc.Nodes))
		}
		for i, n := range pc.Nodes {
			names = append(names, n.Name)
			if n.Name == "desk lamp" {
				lamp = &pc.Nodes[i]
			}
		}
		if !pc.PageInfo.HasNextPage {
			break
		}
		after = pc.PageInfo.EndCursor
	}
	if got := strings.Join(names, ","); got != "cushion,vase,desk lamp,floor lamp" {
		t.Fatalf("browsed %s", got)
	}
	if lamp == nil || lamp.Quantity != 7 || lamp.PriceMoney.Amount != "3500" || lamp.PriceMoney.Currency != "USD" ||
		len(lamp.Variants) != 2 || lamp.Variants[1].SKU != "LAMP-BRASS" || lamp.Variants[1].Price.Amount != "4200" {
		t.Fatalf("desk lamp = %+v", lamp)
	}

	// Text search over name and description, through the router.
	var found struct {
		ProductsConnection struct{ Nodes []struct{ Name string } }
	}
	shopper.must(ctx, `{ productsConnection(filter: {search: "LAMP"}, sortBy: {field: NAME, direction: DESC}) { nodes { name } } }`, nil, nil, &found)
	var got []string
	for _, n := range found.ProductsConnection.Nodes {
		got = append(got, n.Name)
	}
	if strings.Join(got, ",") != "floor lamp,desk lamp,cushion" {
		t.Fatalf("search LAMP = %v", got)
	}

	// A page beyond the maximum is refused, not truncated.
	r := shopper.do(ctx, `{ productsConnection(first: 101) { totalCount } }`, nil, nil)
	if !r.HasCode("BAD_USER_INPUT") || !strings.Contains(string(r.Body), "100") {
		t.Fatalf("first: 101 = %d %s", r.Status, r.Body)
	}
	// The seed's list still answers in its shape.
	shopper.must(ctx, `query Products { products { _id name price quantity } }`, nil, nil, nil)
}

package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/products/graph"
	"github.com/shopsupergraph/shop/subgraphs/products/graph/generated"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/live"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

const adminKey = "budget-admin-key"

type budgetResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r budgetResponse) codes() map[string]int {
	out := map[string]int{}
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out[c]++
	}
	return out
}

// Whatever a request asks for (aliases of lists of products with their
// ledgers, thousands of entity representations), the database reads it
// makes stay within its budget, counted by a command monitor on the
// store's client: the fields that do not fit are refused with
// QUERY_TOO_EXPENSIVE, those that fit are answered in full.
func TestReadBudgetBoundsTheReadsOfOneRequest(t *testing.T) {
	t.Parallel()
	st, rec := storetest.Monitored(t, "budget")
	products, inv := st.Services()
	ctx := context.Background()
	const nProducts, restocks = 12, 24
	ids := make([]string, nProducts)
	for i := range ids {
		p, err := products.Create(ctx, catalog.CreateInput{Name: fmt.Sprintf("budget %02d", i), Price: 100, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
		for range restocks {
			if _, err := inv.Restock(ctx, p.ID, 1, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	const budget, adminBudget = 300, 1100
	res := &graph.Resolver{Catalog: products, Inventory: inv, Live: live.NewHub()}
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: res}))
	srv.AddTransport(transport.POST{})
	srv.AroundResponses(readbudget.Middleware(budget, adminBudget))
	authn := &auth.Authenticator{Tokens: auth.NewTokens("budget-secret-0123456789abcdef0123", 0), AdminKey: adminKey}
	ts := httptest.NewServer(authn.Middleware(srv))
	t.Cleanup(ts.Close)

	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: %s", i, field)
		}
		return b.String() + " }"
	}
	reps := func(n int, distinct bool) map[string]any {
		list := make([]map[string]any, n)
		for i := range list {
			id := ids[0]
			if distinct {
				// Distinct valid ids, most of them unknown: each costs its reads.
				id = fmt.Sprintf("%024x", i+1)
			}
			list[i] = map[string]any{"__typename": "Product", "_id": id}
		}
		return map[string]any{"reps": list}
	}
	entities := `query($reps: [_Any!]!){ _entities(representations: $reps){ ... on Product { _id } } }`
	// Without a budget, the ledger query reads 10 x (1 + 12 + 12 x (2 +
	// 25)) = 3,370 documents.
	ledgers := aliases(10, `products(take: 20) { _id movements(take: 25) { version } }`)
	cases := []struct {
		name      string
		query     string
		vars      map[string]any
		admin     bool
		refused   bool
		wantReads int // exact reads when nothing is refused; 0: only bounded
	}{
		{"one page of products", `{ products(take: 100) { _id quantity } }`, nil, false, false, 1 + 2*nProducts},
		{"ten aliases of a page", aliases(10, `products(take: 50) { _id }`), nil, false, true, 0},
		{"the same aliases with the admin key", aliases(10, `products(take: 50) { _id }`), nil, true, false, 10 * (1 + 2*nProducts)},
		{"aliases of products with their ledgers", ledgers, nil, true, true, 0},
		{"one product with its ledger", fmt.Sprintf(`{ product(id: %q) { movements(take: 25) { version } } }`, ids[0]), nil, true, false, 3 + 2 + 25},
		{"many distinct representations", entities, reps(200, true), false, true, 0},
		{"many copies of one representation", entities, reps(2000, false), false, false, 3},
	}
	for _, c := range cases {
		body, _ := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
		req, _ := http.NewRequest(http.MethodPost, ts.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		limit := budget
		if c.admin {
			req.Header.Set("x-api-key", adminKey)
			limit = adminBudget
		}
		stop := rec.Record()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r budgetResponse
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		_, counts := stop()
		if err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		reads := counts["find"]
		if reads > limit {
			t.Errorf("%s: %d reads, budget %d", c.name, reads, limit)
		}
		codes := r.codes()
		if refused := codes[readbudget.CodeTooExpensive] > 0; refused != c.refused || len(codes) > 1 || (!c.refused && len(r.Errors) > 0) {
			t.Errorf("%s: error codes %v, want refused=%v and no other error", c.name, codes, c.refused)
		}
		if c.wantReads > 0 && reads != c.wantReads {
			t.Errorf("%s: %d reads, want %d", c.name, reads, c.wantReads)
		}
		t.Logf("%s: %d reads (budget %d), error codes %v", c.name, reads, limit, codes)
	}
}

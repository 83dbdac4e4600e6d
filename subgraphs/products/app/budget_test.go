package app_test

import (
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/app"
)

// The service gives every response the configured read budget, a larger
// one with the admin key: two pages of 100 products (202 reads) exceed
// a budget of 150 for a shopper and fit an admin's.
func TestReadBudgetFromConfig(t *testing.T) {
	t.Parallel()
	in := startWith(t, testenv.Get(t), newShared(), map[string]string{"REQUEST_READ_BUDGET": "250", "ADMIN_REQUEST_READ_BUDGET": "500"})
	in.create(t, "budgeted", 100, 1)
	q := `{ a: products(take: 100) { _id } b: products(take: 100) { _id } }`
	if r := in.gql(t, q, nil); r.code() != "QUERY_TOO_EXPENSIVE" || len(r.Errors) != 1 || r.Errors[0].Extensions["budget"] != float64(250) {
		t.Fatalf("two pages as a shopper: %+v, want one QUERY_TOO_EXPENSIVE with budget 250", r.Errors)
	}
	if r := in.gql(t, q, nil, admin()...); len(r.Errors) > 0 {
		t.Fatalf("two pages as admin: %+v", r.Errors)
	}
	if r := in.gql(t, `{ products(take: 100) { _id } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("one page as a shopper: %+v", r.Errors)
	}
}

func TestReadBudgetConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{"API_SECRET": testSecret, "KAFKA_BROKERS": "127.0.0.1:9092"}
	cases := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"default", nil, true},
		{"smallest", map[string]string{"REQUEST_READ_BUDGET": "201"}, true},
		{"below one page", map[string]string{"REQUEST_READ_BUDGET": "200"}, false},
		{"admin below users", map[string]string{"REQUEST_READ_BUDGET": "5000", "ADMIN_REQUEST_READ_BUDGET": "4000"}, false},
		{"malformed", map[string]string{"REQUEST_READ_BUDGET": "lots"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range c.env {
				m[k] = v
			}
			cfg, err := app.LoadConfig(config.FromMap(m))
			if (err == nil) != c.ok {
				t.Fatalf("LoadConfig(%v) err = %v, want ok=%v", c.env, err, c.ok)
			}
			if c.name == "default" && (cfg.ReadBudget != 2000 || cfg.AdminReadBudget != 50000) {
				t.Fatalf("default budgets = %d/%d, want 2000/50000", cfg.ReadBudget, cfg.AdminReadBudget)
			}
		})
	}
}

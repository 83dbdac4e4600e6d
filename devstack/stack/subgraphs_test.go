package stack_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/shopsupergraph/shop/devstack/stack"
)

// TestSubgraphsMatchSupergraphConfig: the stack runs exactly the
// subgraphs supergraph.yaml composes, each on the port of its routing_url,
// so `make run` serves what `make compose` describes.
func TestSubgraphsMatchSupergraphConfig(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../supergraph.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// supergraph.yaml lists "  <name>:" then "    routing_url: <url>".
	re := regexp.MustCompile(`(?m)^  ([a-z][a-z0-9]*):\s*\n\s+routing_url:\s*(\S+)`)
	ports := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		u, err := url.Parse(m[2])
		if err != nil {
			t.Fatalf("%s: routing_url %q: %v", m[1], m[2], err)
		}
		ports[m[1]] = u.Port()
	}
	seen := map[string]bool{}
	for _, sg := range stack.Subgraphs() {
		seen[sg.Name] = true
		_, port, err := net.SplitHostPort(sg.Addr)
		if err != nil {
			t.Fatalf("%s: Addr %q: %v", sg.Name, sg.Addr, err)
		}
		if want, ok := ports[sg.Name]; !ok {
			t.Errorf("%s runs in the stack but is not in supergraph.yaml", sg.Name)
		} else if port != want {
			t.Errorf("%s listens on port %s in the stack, supergraph.yaml routes to %s", sg.Name, port, want)
		}
		if sg.New == nil {
			t.Errorf("%s: no New", sg.Name)
		}
	}
	for name := range ports {
		if !seen[name] {
			t.Errorf("%s is in supergraph.yaml but the stack does not run it", name)
		}
	}
	if len(ports) == 0 {
		t.Fatal("no subgraphs read from supergraph.yaml")
	}
}

// TestProductsReplicas: with two products processes, orders reserves
// stock through the round-robin in front of them (PRODUCTS_INTERNAL_URL),
// and an order placed through the router is confirmed.
func TestProductsReplicas(t *testing.T) {
	sg, err := filepath.Abs("../../supergraph.graphql")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := stack.Start(ctx, stack.Options{
		DataDir: t.TempDir(), RouterAddr: "127.0.0.1:0", Supergraph: sg, ProductsReplicas: 2,
		Env: map[string]string{"API_SECRET": "stack-test-secret-0123456789abcdef", "BCRYPT_COST": "4"},
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := st.Wait(); err != nil {
			t.Logf("stack stopped with: %v", err)
		}
	})
	r := st.RouterURL
	p := field[struct {
		ID string `json:"_id"`
	}](t, post(t, r, `mutation { createProduct(input: {name: "pair", price: 2, quantity: 4}) { _id } }`, map[string]string{"x-api-key": st.AdminKey}), "createProduct")
	reg := field[struct {
		AccessToken string `json:"access_token"`
	}](t, post(t, r, `mutation { registerUser(input: {username: "twin", password: "password"}) { access_token } }`, nil), "registerUser")
	o := field[struct {
		Status string `json:"status"`
	}](t, post(t, r, `mutation { placeOrder(products: [{_id: "`+p.ID+`", quantity: 3}]) { status } }`,
		map[string]string{"Authorization": "Bearer " + reg.AccessToken}), "placeOrder")
	if o.Status != "CONFIRMED" {
		t.Fatalf("placeOrder status = %q, want CONFIRMED", o.Status)
	}
}

package stack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsupergraph/shop/devstack/stack"
)

// TestRouterConfigReachesRouter starts the stack with a router.yaml and a
// ROUTER_* variable: the file turns on query plans (X-Query-Plan: true
// returns extensions.queryPlan), the variable lowers the depth limit, and
// the stack's own settings win where the file names another listener or
// subgraph URL, and its token key set still verifies users' tokens.
func TestRouterConfigReachesRouter(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "router.yaml")
	yaml := `query_plan:
  enabled: true
listen: 127.0.0.1:1
subgraphs:
  users:
    url: http://127.0.0.1:1/graphql
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	st := startStack(t, func(o *stack.Options) {
		o.RouterConfig = cfg
		o.Env["ROUTER_MAX_DEPTH"] = "3"
	})

	body, _ := json.Marshal(map[string]string{"query": "{ users { _id } }"})
	req, err := http.NewRequest(http.MethodPost, st.RouterURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Query-Plan", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data       map[string]json.RawMessage `json:"data"`
		Errors     []json.RawMessage          `json:"errors"`
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 || string(out.Data["users"]) != "[]" {
		t.Fatalf("users through the stack's router: HTTP %d data %s errors %s", resp.StatusCode, out.Data, out.Errors)
	}
	if len(out.Extensions["queryPlan"]) == 0 {
		t.Fatalf("no extensions.queryPlan with query_plan.enabled in router.yaml: extensions %s", out.Extensions)
	}

	deep := `{ orders { products { product { name } } } }`
	if c := post(t, st.RouterURL, deep, nil).code(); c != "MAX_DEPTH_LIMIT" {
		t.Fatalf("a 4-level query with ROUTER_MAX_DEPTH=3: code %q, want MAX_DEPTH_LIMIT", c)
	}

	reg := field[struct {
		AccessToken string `json:"access_token"`
	}](t, post(t, st.RouterURL, seedRegisterUser, nil), "registerUser")
	routerVerifiesTokens(t, st, reg.AccessToken)
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestHostileInput throws malformed and oversized requests at the router.
// Each must get a clear answer: a 4xx status, or a GraphQL error with an
// extensions.code and no data for the refused field; never a 5xx, a hang or
// a crash of any process, and the router's memory must stay bounded.
//
// It runs alone (no t.Parallel): 10,000 aliases keep a core busy.
func TestHostileInput(t *testing.T) {
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := s.createProduct(ctx, "target", 100, 10)
	buyer := s.register(ctx, "hostile")

	jsonBody := func(query string, vars any) []byte {
		b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	nest := func(open, leaf, closing string, n int) string {
		return strings.Repeat(open, n) + leaf + strings.Repeat(closing, n)
	}
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 10000 {
		fmt.Fprintf(&aliases, " a%d: products { _id name }", i)
	}
	aliases.WriteString(" }")
	var deepSel strings.Builder
	deepSel.WriteString("{ me { orders { ")
	for range 500 {
		deepSel.WriteString("user { orders { ")
	}
	deepSel.WriteString("_id")
	deepSel.WriteString(strings.Repeat(" } }", 501))
	deepSel.WriteString(" }")
	// Each fragment spreads the next twice: 25 levels expand to 2^25
	// selections from a 1.5 KB document.
	var fanout strings.Builder
	fanout.WriteString("{ products { ...F0 } }")
	for i := range 25 {
		fmt.Fprintf(&fanout, " fragment F%d on Product { _id ...F%d ...F%d }", i, i+1, i+1)
	}
	fanout.WriteString(" fragment F25 on Product { _id }")
	var aliasLists strings.Builder
	aliasLists.WriteString("{")
	for i := range 20 {
		fmt.Fprintf(&aliasLists, " a%d: products(take: 100) { movements(take: 100) { version } }", i)
	}
	aliasLists.WriteString(" }")
	lines := make([]any, 10000)
	for i := range lines {
		lines[i] = map[string]any{"_id": p.ID, "quantity": 1}
	}
	bigList := make([]int, 200000)

	const order = `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { _id } }`
	cases := []struct {
		name        string
		method      string
		contentType string
		body        []byte
		query       string // URL query for GET
		headers     map[string]string
		// codes, when set, are the acceptable extensions.code values of a
		// 200 answer; a 4xx status is always acceptable.
		codes []string
	}{
		{name: "malformed JSON", body: []byte(`{"query": "{ products { _id } }"`)},
		{name: "JSON array", body: []byte(`[{"query": "{ products { _id } }"}]`)},
		{name: "JSON null", body: []byte(`null`)},
		{name: "query not a string", body: []byte(`{"query": 42}`)},
		{name: "variables not an object", body: []byte(`{"query": "{ products { _id } }", "variables": [1,2]}`)},
		{name: "empty body", body: nil},
		{name: "text/plain", contentType: "text/plain", body: jsonBody(`{ products { _id } }`, nil)},
		{name: "form encoded", contentType: "application/x-www-form-urlencoded", body: []byte("query=%7B+products+%7B+_id+%7D+%7D")},
		{name: "multipart", contentType: "multipart/form-data; boundary=x", body: []byte("--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n--x--\r\n")},
		{name: "garbage content type", contentType: "}}}{{{", body: jsonBody(`{ products { _id } }`, nil)},
		{name: "10 MB body", body: jsonBody(`{ products { _id } }`, map[string]any{"pad": strings.Repeat("x", 10<<20)})},
		{name: "mutation over GET", method: http.MethodGet, query: "?query=" + url.QueryEscape(`mutation { registerUser(input: {username: "viaget", password: "password"}) { access_token } }`)},
		{name: "PUT", method: http.MethodPut, body: jsonBody(`{ products { _id } }`, nil)},
		{name: "1,000-deep selection of unknown fields", body: jsonBody(nest("{ a ", "", " }", 1000), nil), codes: []string{"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "MAX_DEPTH_LIMIT"}},
		{name: "1,000-deep valid selection", body: jsonBody(deepSel.String(), nil), headers: buyer.auth(), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "MAX_DEPTH_LIMIT"}},
		{name: "1,000-deep list argument", body: jsonBody(`{ product(id: `+nest("[", `"x"`, "]", 1000)+`) { _id } }`, nil), codes: []string{"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "MAX_DEPTH_LIMIT"}},
		{name: "1,000-deep variable", body: []byte(`{"query": "query($id: ID!) { product(id: $id) { _id } }", "variables": {"id": ` + nest("[", `"x"`, "]", 1000) + `}}`), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"}},
		{name: "100,000-deep JSON", body: []byte(`{"query": "{ products { _id } }", "variables": {"x": ` + nest("[", "", "]", 100000) + `}}`), codes: []string{"BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED"}},
		{name: "10,000 aliases", body: jsonBody(aliases.String(), nil), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "MAX_ALIASES_LIMIT"}},
		{name: "fragment fan-out", body: jsonBody(fanout.String(), nil), codes: []string{"MAX_FIELDS_LIMIT"}},
		// movements needs MANAGE_PRODUCTS, which the router enforces
		// before planning: anonymous callers lose the field there.
		{name: "20 aliases of a list of lists", body: jsonBody(aliasLists.String(), nil), codes: []string{"UNAUTHORIZED_FIELD_OR_TYPE", "UNAUTHENTICATED", "FORBIDDEN", "MAX_FIELDS_LIMIT", "QUERY_TOO_EXPENSIVE", "COMPLEXITY_LIMIT_EXCEEDED"}},
		{name: "10,000 order lines", body: jsonBody(order, map[string]any{"p": lines}), headers: buyer.auth(), codes: []string{"BAD_USER_INPUT"}},
		{name: "200,000-element list for an ID", body: jsonBody(`query($id: ID!) { product(id: $id) { _id } }`, map[string]any{"id": bigList}), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"}},
		{name: "invalid UTF-8 in the query", body: []byte("{\"query\": \"{ products(search: \\\"\xff\xfe\\\") { _id } }\"}"), codes: []string{"BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "BAD_REQUEST"}},
		{name: "invalid UTF-8 in a variable", body: []byte("{\"query\": \"query($s: String) { products(search: $s) { _id } }\", \"variables\": {\"s\": \"\xc3\x28\"}}"), codes: []string{"BAD_USER_INPUT", "BAD_REQUEST"}},
		{name: "Int overflow literal", body: jsonBody(`mutation { createProduct(input: {name: "big", price: 99999999999999999999, quantity: 1}) { _id } }`, nil), headers: s.admin, codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}},
		{name: "Int32 overflow variable", body: jsonBody(order, map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": int64(1) << 31}}}), headers: buyer.auth(), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}},
		{name: "float for Int", body: jsonBody(order, map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": 1.5}}}), headers: buyer.auth(), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}},
		{name: "1e400 for Int", body: []byte(`{"query": "query($t: Int) { products(take: $t) { _id } }", "variables": {"t": 1e400}}`), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"}},
		{name: "negative quantity", body: jsonBody(order, map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": -5}}}), headers: buyer.auth(), codes: []string{"BAD_USER_INPUT"}},
		{name: "negative take", body: jsonBody(`{ products(take: -1) { _id } }`, nil), codes: []string{"BAD_USER_INPUT"}},
		{name: "malformed ObjectID in product", body: jsonBody(`{ product(id: "not-an-id") { _id } }`, nil), codes: []string{"BAD_USER_INPUT"}},
		{name: "too long ObjectID", body: jsonBody(`{ product(id: "`+strings.Repeat("a", 5000)+`") { _id } }`, nil), codes: []string{"BAD_USER_INPUT"}},
		{name: "malformed ObjectID in order", body: jsonBody(`{ order(id: "zzzzzzzzzzzzzzzzzzzzzzzz") { _id } }`, nil), headers: buyer.auth(), codes: []string{"BAD_USER_INPUT", "NOT_FOUND"}},
		{name: "malformed ObjectID in user", body: jsonBody(`{ user(id: "{\"$gt\": \"\"}") { _id } }`, nil), codes: []string{"BAD_USER_INPUT", "NOT_FOUND"}},
		{name: "malformed ObjectID in an order line", body: jsonBody(order, map[string]any{"p": []any{map[string]any{"_id": "12345", "quantity": 1}}}), headers: buyer.auth(), codes: []string{"BAD_USER_INPUT"}},
		{name: "operator injection as id", body: []byte(`{"query": "query($id: ID!) { product(id: $id) { _id } }", "variables": {"id": {"$ne": null}}}`), codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"}},
	}
	rc := harness.NewClient(sys.Router())
	rc.HTTP.Timeout = 30 * time.Second
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			h := map[string]string{}
			if tc.body != nil {
				h["Content-Type"] = "application/json"
			}
			if tc.contentType != "" {
				h["Content-Type"] = tc.contentType
			}
			for k, v := range tc.headers {
				h[k] = v
			}
			began := time.Now()
			r, err := rc.Raw(ctx, method, tc.query, bytes.NewReader(tc.body), h)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			took := time.Since(began)
			short := string(r.Body)
			if len(short) > 400 {
				short = short[:400] + "..."
			}
			switch {
			case r.Status >= 500:
				t.Errorf("status %d after %s: %s", r.Status, took, short)
			case r.Status >= 400:
				if len(r.Errors) == 0 {
					t.Errorf("status %d without a GraphQL error body: %s", r.Status, short)
				}
			case len(r.Errors) == 0:
				t.Errorf("accepted (status %d, %s, %d bytes): %s", r.Status, took, len(r.Body), short)
			case len(tc.codes) > 0:
				ok := false
				for _, c := range tc.codes {
					ok = ok || r.HasCode(c)
				}
				if !ok {
					t.Errorf("codes %s, want one of %v: %s", codesOf(r), tc.codes, short)
				}
				var data map[string]any
				if r.Decode(&data) == nil {
					for k, v := range data {
						if v != nil {
							t.Errorf("data.%s returned despite the error: %s", k, short)
						}
					}
				}
			}
			if strings.Contains(short, "goroutine") || strings.Contains(short, sys.Secret) {
				t.Errorf("response leaks internals: %s", short)
			}
		})
	}

	t.Run("stock cannot overflow", func(t *testing.T) {
		restock := `mutation($id: ID!, $q: Int!) { restockProduct(id: $id, quantity: $q) { quantity } }`
		r1 := s.do(ctx, restock, map[string]any{"id": p.ID, "q": 2147483647}, s.admin)
		r2 := s.do(ctx, restock, map[string]any{"id": p.ID, "q": 2147483647}, s.admin)
		if r1.Status >= 500 || r2.Status >= 500 {
			t.Fatalf("restock overflow: %s / %s", r1.Body, r2.Body)
		}
		var after struct{ Product product }
		r := s.do(ctx, `query($id: ID!) { product(id: $id) { quantity } }`, map[string]any{"id": p.ID}, nil)
		if len(r.Errors) > 0 || r.Decode(&after) != nil || after.Product.Quantity < 10 {
			t.Errorf("after restocking to the Int limit: %s (first %s, second %s); want a refusal, not a wrapped or unreadable quantity", r.Body, r1.Body, r2.Body)
		}
	})

	sys.CheckAlive(t)
	for _, v := range sys.Services() {
		resp, err := http.Get(v.URL() + "/health")
		if err != nil {
			t.Errorf("%s health: %v", v.Name, err)
			continue
		}
		resp.Body.Close() //nolint:errcheck,gosec // status only
		if resp.StatusCode != 200 {
			t.Errorf("%s health: %s", v.Name, resp.Status)
		}
		if rss := rssBytes(v.Proc.Pid()); rss > 512<<20 {
			t.Errorf("%s uses %d MiB after the hostile requests", v.Name, rss>>20)
		} else {
			t.Logf("%s RSS %d MiB", v.Name, rss>>20)
		}
	}
	// The system still works for ordinary customers.
	if r := s.placeOrder(ctx, buyer, p.ID, 1); len(r.Errors) > 0 {
		t.Errorf("ordinary order after the attack: %s", r.Body)
	}
}

// rssBytes reads a process's resident set size from /proc (0 if unknown).
func rssBytes(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

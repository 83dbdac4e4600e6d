package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/authn/authntest"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// authzLinks are the links and definitions Apollo's composition writes
// for the three authorization features.
const authzLinks = `@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)`

const authzDefinitions = `
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
scalar requiresScopes__Scope
scalar policy__Policy
`

// withAuthz adds authorization directives to the simple-entity
// supergraph: latestReview needs a token, Product.price (non-null) too,
// Product.quantity scopes inventory:read or both admin and ops, and the
// Review type (reached from products through an entity fetch to reviews)
// the reviewer or staff policy.
func withAuthz(t *testing.T, sdl string) string {
	t.Helper()
	edits := [][2]string{
		{`@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)`, authzLinks},
		{"latestReview: Review @join__field(graph: REVIEWS)", "latestReview: Review @join__field(graph: REVIEWS) @authenticated"},
		{"price: Int! @join__field(graph: PRODUCTS)", "price: Int! @join__field(graph: PRODUCTS) @authenticated"},
		{"quantity: Int @join__field(graph: INVENTORY)", `quantity: Int @join__field(graph: INVENTORY) @requiresScopes(scopes: [["inventory:read"], ["admin", "ops"]])`},
		{"type Review\n  @join__type(graph: REVIEWS)", "type Review\n  @join__type(graph: REVIEWS)\n  @policy(policies: [[\"reviewer\"], [\"staff\"]])"},
	}
	for _, e := range edits {
		if !strings.Contains(sdl, e[0]) {
			t.Fatalf("supergraph has no %q", e[0])
		}
		sdl = strings.Replace(sdl, e[0], e[1], 1)
	}
	return sdl + authzDefinitions
}

// authzRouter serves the graph with token verification and the policies
// of the tests; set adjusts the configuration further.
func authzRouter(t *testing.T, set func(*app.Config)) (string, map[string]*fedtest.Subgraph, *authntest.Key) {
	t.Helper()
	sdl, sgs := startGraph(t, nil)
	keys := newTokenKeys(t)
	jwks := startJWKS(t, keys.ed)
	srv := startRouter(t, withAuthz(t, sdl), func(c *app.Config) {
		verifying(jwks, false)(c)
		c.Authorization.Policies = map[string]app.PolicyRule{
			"reviewer": {Claims: map[string]app.ClaimValues{"role": {"reviewer"}}},
			"staff":    {Claims: map[string]app.ClaimValues{"groups": {"staff", "ops"}}},
		}
		if set != nil {
			set(c)
		}
	})
	return srv.URL, sgs, keys.ed
}

// bearer signs a token carrying extra claims.
func bearer(t *testing.T, k *authntest.Key, extra map[string]any) string {
	t.Helper()
	c := authntest.Claims("u1", time.Hour)
	for name, v := range extra {
		c[name] = v
	}
	s, err := k.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

// calls counts the requests each subgraph received since the last reset,
// and resets them.
func calls(sgs map[string]*fedtest.Subgraph) map[string]int {
	out := map[string]int{}
	for name, sg := range sgs {
		out[name] = len(sg.Requests())
		sg.Reset()
	}
	return out
}

// postRaw sends a query and returns the status and the body as sent.
func postRaw(t *testing.T, url, query, auth, accept string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(out)
}

func unauthorizedAt(path string) string {
	return `{"message":"Unauthorized to load field '` + path + `'.","path":`
}

func TestAuthorizationAuthenticatedField(t *testing.T) {
	url, sgs, key := authzRouter(t, nil)
	const q = `{ latestReview { body } }`

	status, body := postRaw(t, url, q, "", "")
	want := `{"errors":[{"message":"Unauthorized to load field 'Query.latestReview'.","path":["latestReview"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"latestReview":null}}`
	if status != http.StatusOK || body != want {
		t.Fatalf("anonymous: HTTP %d %s\nwant %s", status, body, want)
	}
	if n := calls(sgs); n["reviews"] != 0 || n["products"] != 0 {
		t.Fatalf("anonymous request reached subgraphs: %v", n)
	}

	// A token is not enough: Review needs the reviewer or staff policy.
	if _, body = postRaw(t, url, q, bearer(t, key, nil), ""); body != want {
		t.Fatalf("authenticated without policy: %s", body)
	}
	// With it the same operation runs unfiltered: its plan is not the
	// filtered one cached by the anonymous request.
	status, body = postRaw(t, url, q, bearer(t, key, map[string]any{"role": "reviewer"}), "")
	if status != http.StatusOK || body != `{"data":{"latestReview":{"body":"Comfy"}}}` {
		t.Fatalf("authenticated: HTTP %d %s", status, body)
	}
	if n := calls(sgs); n["reviews"] != 1 {
		t.Fatalf("reviews calls %v, want 1", n)
	}
	// And anonymous again: the authenticated plan does not leak back.
	if _, body = postRaw(t, url, q, "", ""); body != want {
		t.Fatalf("anonymous after authenticated: %s", body)
	}
}

func TestAuthorizationScopes(t *testing.T) {
	url, sgs, key := authzRouter(t, nil)
	const q = `{ products { id quantity } }`
	granted := `{"data":{"products":[{"id":"p1","quantity":7},{"id":"p2","quantity":0},{"id":"p3","quantity":null}]}}`
	denied := `{"errors":[` +
		unauthorizedAt("Query.products.quantity") + `["products",0,"quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.products.quantity") + `["products",1,"quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.products.quantity") + `["products",2,"quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],` +
		`"data":{"products":[{"id":"p1","quantity":null},{"id":"p2","quantity":null},{"id":"p3","quantity":null}]}}`
	for _, tc := range []struct {
		name, auth string
		want       string
		inventory  int
	}{
		{"anonymous", "", denied, 0},
		{"no scope", bearer(t, key, nil), denied, 0},
		{"one alternative", bearer(t, key, map[string]any{"scope": "profile inventory:read"}), granted, 1},
		{"half of an AND", bearer(t, key, map[string]any{"scope": "admin"}), denied, 0},
		{"whole AND", bearer(t, key, map[string]any{"scope": "ops admin"}), granted, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postRaw(t, url, q, tc.auth, "")
			if status != http.StatusOK || body != tc.want {
				t.Fatalf("HTTP %d %s\nwant %s", status, body, tc.want)
			}
			if n := calls(sgs); n["inventory"] != tc.inventory || n["products"] != 1 {
				t.Fatalf("subgraph calls %v, want inventory %d", n, tc.inventory)
			}
		})
	}
}

// A type-level @policy on Review, reached through the products list and
// an entity fetch to reviews; Product.reviews is non-null, and so are
// the list items, so the nulls climb to the nearest nullable field.
func TestAuthorizationPolicyOnTypeWithNullPropagation(t *testing.T) {
	url, sgs, key := authzRouter(t, nil)
	const byID = `{ product(id: "p1") { name reviews { body } } }`
	const list = `{ products { name reviews { body } } }`
	for _, tc := range []struct {
		name, query, auth, want string
		reviews                 int
	}{
		{"anonymous nullable parent", byID, "", `{"errors":[` + unauthorizedAt("Query.product.reviews") + `["product","reviews"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"product":null}}`, 0},
		{"anonymous up to data", list, "", `{"errors":[` + unauthorizedAt("Query.products.reviews") + `["products",0,"reviews"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":null}`, 0},
		{"wrong role", byID, bearer(t, key, map[string]any{"role": "buyer"}), `{"errors":[` + unauthorizedAt("Query.product.reviews") + `["product","reviews"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"product":null}}`, 0},
		{"reviewer", byID, bearer(t, key, map[string]any{"role": "reviewer"}), `{"data":{"product":{"name":"Lamp","reviews":[{"body":"Bright"},{"body":"Wobbly"}]}}}`, 1},
		{"staff by group array", list, bearer(t, key, map[string]any{"groups": []any{"sales", "ops"}}), `{"data":{"products":[{"name":"Lamp","reviews":[{"body":"Bright"},{"body":"Wobbly"}]},{"name":"Desk","reviews":[]},{"name":"Chair","reviews":[{"body":"Comfy"}]}]}}`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postRaw(t, url, tc.query, tc.auth, "")
			if status != http.StatusOK || body != tc.want {
				t.Fatalf("HTTP %d %s\nwant %s", status, body, tc.want)
			}
			if n := calls(sgs); n["reviews"] != tc.reviews {
				t.Fatalf("subgraph calls %v, want reviews %d", n, tc.reviews)
			}
		})
	}
}

func TestAuthorizationFragmentsAndNonNullField(t *testing.T) {
	url, sgs, key := authzRouter(t, nil)
	// price is Int! and @authenticated: product becomes null. quantity is
	// selected through a named fragment and an inline fragment.
	const q = `query { product(id: "p1") { ...F } top: products { ... on Product { name quantity } } } fragment F on Product { name price }`
	status, body := postRaw(t, url, q, "", "")
	want := `{"errors":[` + unauthorizedAt("Query.product.price") + `["product","price"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.top.quantity") + `["top",0,"quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.top.quantity") + `["top",1,"quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.top.quantity") + `["top",2,"quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],` +
		`"data":{"product":null,"top":[{"name":"Lamp","quantity":null},{"name":"Desk","quantity":null},{"name":"Chair","quantity":null}]}}`
	if status != http.StatusOK || body != want {
		t.Fatalf("HTTP %d %s\nwant %s", status, body, want)
	}
	if n := calls(sgs); n["inventory"] != 0 {
		t.Fatalf("inventory called: %v", n)
	}
	_, body = postRaw(t, url, q, bearer(t, key, map[string]any{"scope": "inventory:read"}), "")
	if want := `{"data":{"product":{"name":"Lamp","price":25},"top":[{"name":"Lamp","quantity":7},{"name":"Desk","quantity":0},{"name":"Chair","quantity":null}]}}`; body != want {
		t.Fatalf("authorized: %s\nwant %s", body, want)
	}
}

func TestAuthorizationRejectUnauthorized(t *testing.T) {
	url, sgs, key := authzRouter(t, func(c *app.Config) { c.Authorization.Directives.RejectUnauthorized = true })
	const q = `{ products { name quantity reviews { body } } latestReview { body } }`
	want := `{"errors":[` +
		`{"message":"Unauthorized field or type","path":["products","@","quantity"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		`{"message":"Unauthorized field or type","path":["products","@","reviews"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		`{"message":"Unauthorized field or type","path":["latestReview"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`
	for _, tc := range []struct {
		accept string
		status int
	}{{"application/json", http.StatusOK}, {"application/graphql-response+json", http.StatusForbidden}} {
		status, body := postRaw(t, url, q, "", tc.accept)
		if status != tc.status || body != want {
			t.Fatalf("%s: HTTP %d %s\nwant %d %s", tc.accept, status, body, tc.status, want)
		}
	}
	if n := calls(sgs); n["products"]+n["inventory"]+n["reviews"] != 0 {
		t.Fatalf("a refused operation reached subgraphs: %v", n)
	}
	// Fields the request may see run as usual.
	status, body := postRaw(t, url, `{ products { name } }`, "", "")
	if status != http.StatusOK || !strings.HasPrefix(body, `{"data":{"products":[{"name":"Lamp"}`) {
		t.Fatalf("HTTP %d %s", status, body)
	}
	status, body = postRaw(t, url, `{ latestReview { body } }`, bearer(t, key, map[string]any{"role": "reviewer"}), "")
	if status != http.StatusOK || body != `{"data":{"latestReview":{"body":"Comfy"}}}` {
		t.Fatalf("HTTP %d %s", status, body)
	}
}

func TestAuthorizationRequireAuthentication(t *testing.T) {
	url, sgs, key := authzRouter(t, func(c *app.Config) { c.Authorization.RequireAuthentication = true })
	status, body := postRaw(t, url, `{ products { name } }`, "", "")
	if status != http.StatusUnauthorized || !strings.Contains(body, `"code":"UNAUTHENTICATED"`) {
		t.Fatalf("HTTP %d %s", status, body)
	}
	if n := calls(sgs); n["products"] != 0 {
		t.Fatalf("products called: %v", n)
	}
	if status, body = postRaw(t, url, `{ products { name } }`, bearer(t, key, nil), ""); status != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("HTTP %d %s", status, body)
	}
}

func TestAuthorizationDirectivesDisabled(t *testing.T) {
	url, _, _ := authzRouter(t, func(c *app.Config) {
		off := false
		c.Authorization.Directives.Enabled = &off
	})
	if _, body := postRaw(t, url, `{ latestReview { body } }`, "", ""); body != `{"data":{"latestReview":{"body":"Comfy"}}}` {
		t.Fatalf("%s", body)
	}
}

// Every root field removed: nothing is fetched, data holds the nulls.
func TestAuthorizationEveryFieldRemoved(t *testing.T) {
	url, sgs, _ := authzRouter(t, nil)
	status, body := postRaw(t, url, `{ latestReview { body } again: latestReview { id } }`, "", "")
	want := `{"errors":[` + unauthorizedAt("Query.latestReview") + `["latestReview"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.again") + `["again"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":{"latestReview":null,"again":null}}`
	if status != http.StatusOK || body != want {
		t.Fatalf("HTTP %d %s\nwant %s", status, body, want)
	}
	if n := calls(sgs); n["reviews"]+n["products"] != 0 {
		t.Fatalf("subgraphs called: %v", n)
	}
	// Introspection is never filtered.
	if _, body = postRaw(t, url, `{ __typename __type(name: "Review") { name } }`, "", ""); body != `{"data":{"__typename":"Query","__type":{"name":"Review"}}}` {
		t.Fatalf("introspection: %s", body)
	}
}

func TestAuthorizationQueryPlan(t *testing.T) {
	url, _, key := authzRouter(t, func(c *app.Config) { c.QueryPlan.Enabled = true })
	plan := func(auth string) string {
		body, _ := json.Marshal(map[string]any{"query": `{ products { name reviews { body } } }`})
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Query-Plan", "true")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		_, res, _ := do(t, req)
		qp, _ := json.Marshal(res.Extensions["queryPlan"])
		return string(qp)
	}
	if p := plan(""); strings.Contains(p, "reviews") || !strings.Contains(p, "products") {
		t.Fatalf("anonymous plan asks reviews: %s", p)
	}
	if p := plan(bearer(t, key, map[string]any{"role": "reviewer"})); !strings.Contains(p, `"reviews"`) {
		t.Fatalf("reviewer plan has no reviews fetch: %s", p)
	}
}

func TestAuthorizationRefusesUnsupportedSecurityLink(t *testing.T) {
	sdl, _ := startGraph(t, nil)
	link := `@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)`
	for _, tc := range []struct {
		extra string
		fails bool
	}{
		{`@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)`, false},
		{`@link(url: "https://specs.apollo.dev/rateLimit/v0.1", for: SECURITY)`, true},
		{`@link(url: "https://example.com/rateLimit/v1.0", for: EXECUTION)`, true},
		{`@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)`, false},
		{`@link(url: "https://specs.apollo.dev/cost/v0.1")`, false},
	} {
		withLink := strings.Replace(sdl, link, link+"\n  "+tc.extra, 1)
		r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(withLink))
		if r != nil {
			r.Close()
		}
		if tc.fails {
			url := strings.TrimPrefix(strings.Split(tc.extra, `"`)[1], "")
			if err == nil || !strings.Contains(err.Error(), url) {
				t.Fatalf("%s: err %v, want a refusal naming %s", tc.extra, err, url)
			}
		} else if err != nil {
			t.Fatalf("%s: %v", tc.extra, err)
		}
	}
}

// streamingAuthz adds the authorization links and field directive edits
// to the subscriptions supergraph.
func streamingAuthz(edits ...[2]string) func(string) string {
	return func(sdl string) string {
		sdl = strings.Replace(sdl, `@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)`, authzLinks, 1)
		for _, e := range edits {
			sdl = strings.Replace(sdl, e[0], e[1], 1)
		}
		return sdl + authzDefinitions
	}
}

// firstSSEEvent opens a subscription over SSE and returns its first event.
func firstSSEEvent(t *testing.T, ctx context.Context, url, query string, feed *stockFeed, publish fedtest.Obj) (event, data string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if publish != nil {
		waitActive(t, feed, 1)
		feed.publish(publish)
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			data = v
		}
		if line == "" && event != "" {
			return event, data
		}
	}
	return event, data
}

func TestAuthorizationOfSubscriptions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// SSE: a non-null field removed from every event nulls the event's
	// data, with the error; the subscription itself runs.
	srv, feed := startStreamingShopEdited(t, nil, streamingAuthz([2]string{"price: Int! @join__field(graph: PRODUCTS)", "price: Int! @join__field(graph: PRODUCTS) @authenticated"}))
	event, data := firstSSEEvent(t, ctx, srv.URL, stockSubscription, feed, fedtest.Obj{"_id": "p1", "quantity": 8})
	want := `{"errors":[` + unauthorizedAt("Subscription.inventoryUpdated.price") + `["inventoryUpdated","price"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],"data":null}`
	if event != "next" || data != want {
		t.Fatalf("SSE: event %q %s\nwant %s", event, data, want)
	}

	// WebSocket: an unauthorized subscription field leaves nothing to
	// subscribe to; the subscription is refused and the subgraph never asked.
	srv, feed = startStreamingShopEdited(t, nil, streamingAuthz([2]string{"inventoryUpdated(productId: ID): Product! @join__field(graph: INVENTORY)", "inventoryUpdated(productId: ID): Product! @join__field(graph: INVENTORY) @authenticated"}))
	if event, data := firstSSEEvent(t, ctx, srv.URL, stockSubscription, feed, nil); event != "next" ||
		data != `{"errors":[{"message":"Unauthorized field or type","path":["inventoryUpdated"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}` {
		t.Fatalf("SSE refused: event %q %s", event, data)
	}
	c, msg, err := initWS(t, ctx, srv.URL, map[string]any{})
	if err != nil || !strings.Contains(msg, "connection_ack") {
		t.Fatalf("connection_init: %q %v", msg, err)
	}
	sub := `{"id":"1","type":"subscribe","payload":{"query":"` + stockSubscription + `"}}`
	if err := c.Write(ctx, websocket.MessageText, []byte(sub)); err != nil {
		t.Fatal(err)
	}
	_, reply, err := c.Read(ctx)
	if err != nil || !strings.Contains(string(reply), `"type":"error"`) || !strings.Contains(string(reply), `"path":["inventoryUpdated"]`) || !strings.Contains(string(reply), "UNAUTHORIZED_FIELD_OR_TYPE") {
		t.Fatalf("WebSocket: %s %v", reply, err)
	}
	if n := feed.active(); n != 0 {
		t.Fatalf("the subgraph got %d subscriptions", n)
	}
}

// startCase serves a fedtest case's subgraphs and returns its supergraph
// pointing at them.
func startCase(t *testing.T, name string) (string, map[string]*fedtest.Subgraph) {
	t.Helper()
	for _, c := range fedtest.Cases() {
		if c.Name != name {
			continue
		}
		urls, sgs := fedtest.Start(t, c)
		sdl, err := fedtest.SupergraphWithURLs(c, urls)
		if err != nil {
			t.Fatal(err)
		}
		return sdl, sgs
	}
	t.Fatalf("fedtest case %s not found", name)
	return "", nil
}

// A fragment on one implementation of an interface, wholly removed: the
// objects of that type still get their nulls, the others nothing.
func TestAuthorizationFragmentOnImplementation(t *testing.T) {
	sdl, sgs := startCase(t, "abstract-entities")
	sdl = strings.Replace(sdl, `@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)`, authzLinks, 1)
	sdl = strings.Replace(sdl, "ageMin: Int @join__field(graph: B)", "ageMin: Int @join__field(graph: B) @authenticated", 1) + authzDefinitions
	srv := startRouter(t, sdl, nil)
	calls(sgs)
	status, body := postRaw(t, srv.URL, `{ items { id ... on Toy { ageMin } } }`, "", "")
	want := `{"errors":[` + unauthorizedAt("Query.items.ageMin") + `["items",1,"ageMin"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},` +
		unauthorizedAt("Query.items.ageMin") + `["items",3,"ageMin"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}],` +
		`"data":{"items":[{"id":"b1"},{"id":"t1","ageMin":null},{"id":"b2"},{"id":"t2","ageMin":null}]}}`
	if status != http.StatusOK || body != want {
		t.Fatalf("HTTP %d %s\nwant %s", status, body, want)
	}
	if n := calls(sgs); n["a"] != 1 || n["b"] != 0 {
		t.Fatalf("subgraph calls %v: b holds only the removed field", n)
	}
}

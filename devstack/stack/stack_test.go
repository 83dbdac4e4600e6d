package stack_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/devstack/stack"
)

// The seed operations, verbatim from the project brief (only the product id
// placeholder is replaced, as the brief instructs).
const (
	seedUsers        = "query Users {\nusers {\n_id\nusername\n}\n}"
	seedProducts     = "query Products {\nproducts {\n_id\nname\nprice\nquantity\n}\n}"
	seedRegisterUser = "mutation RegisterUser {\nregisterUser(input: { username: \"arth\", password: \"password\" }) {\naccess_token\n}\n}"
	seedCreate       = "mutation CreateProduct {\ncreateProduct(input: { name: \"chocolate\", price: 20, quantity: 10 }) {\n_id\nname\nprice\nquantity\n}\n}"
	seedPlaceOrder   = "mutation PlaceOrder {\nplaceOrder(\nproducts: [\n{\n_id: \"Add a valid id received from createProduct or products query\"\nquantity: 10\n}\n]\n) {\n_id\nproducts {\n_id\nquantity\n}\nuserId\n}\n}"
)

type gqlResp struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResp) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func post(t *testing.T, url, query string, headers map[string]string) gqlResp {
	t.Helper()
	_, out := postStatus(t, url, query, headers)
	return out
}

func postStatus(t *testing.T, url, query string, headers map[string]string) (int, gqlResp) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResp
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode response (status %d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func field[T any](t *testing.T, r gqlResp, name string) T {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("%s: errors %+v", name, r.Errors)
	}
	var v T
	if err := json.Unmarshal(r.Data[name], &v); err != nil {
		t.Fatalf("%s: %v (%s)", name, err, r.Data[name])
	}
	return v
}

func startStack(t *testing.T, adjust ...func(*stack.Options)) *stack.Stack {
	t.Helper()
	sg, err := filepath.Abs("../../supergraph.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sg); err != nil {
		t.Fatalf("supergraph: %v", err)
	}
	// A data folder left readable (by an older version, or a umask of 0)
	// is closed by the stack.
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o777); err != nil {
		t.Fatal(err)
	}
	o := stack.Options{
		DataDir: data, RouterAddr: "127.0.0.1:0", UsersAddr: "127.0.0.1:0",
		ProductsAddr: "127.0.0.1:0", OrdersAddr: "127.0.0.1:0", Supergraph: sg,
		Env: map[string]string{
			"API_SECRET": "stack-test-secret-0123456789abcdef", "BCRYPT_COST": "4",
			// The buyers race registers 100 users from loopback.
			"REGISTER_MAX_PER_ADDR": "0",
		},
	}
	for _, f := range adjust {
		f(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := stack.Start(ctx, o)
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
	for _, d := range []string{data, filepath.Join(data, "infra")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v, want mode 0700", d, fi.Mode(), err)
		}
	}
	return st
}

// TestSeedOperationsThroughRouter sends every seed operation verbatim
// through the router of a whole in-process stack, then follows the order
// through federation into the products subgraph.
func TestSeedOperationsThroughRouter(t *testing.T) {
	st := startStack(t)
	r := st.RouterURL

	if users := field[[]any](t, post(t, r, seedUsers, nil), "users"); len(users) != 0 {
		t.Fatalf("users before registration = %v", users)
	}
	reg := field[struct {
		AccessToken string `json:"access_token"`
	}](t, post(t, r, seedRegisterUser, nil), "registerUser")
	if reg.AccessToken == "" {
		t.Fatal("no access token")
	}
	routerVerifiesTokens(t, st, reg.AccessToken)
	// createProduct needs MANAGE_PRODUCTS (@requiresScopes): the router
	// removes it for a caller without the admin key and refuses a wrong
	// key outright.
	if c := post(t, r, seedCreate, nil).code(); c != "UNAUTHORIZED_FIELD_OR_TYPE" {
		t.Fatalf("createProduct without key: code %q", c)
	}
	if c := post(t, r, seedCreate, map[string]string{"x-api-token": st.AdminKey + "x"}).code(); c != "UNAUTHENTICATED" {
		t.Fatalf("createProduct with a wrong key: code %q", c)
	}
	type product struct {
		ID       string `json:"_id"`
		Name     string `json:"name"`
		Price    int    `json:"price"`
		Quantity int    `json:"quantity"`
	}
	p := field[product](t, post(t, r, seedCreate, map[string]string{"x-api-token": st.AdminKey}), "createProduct")
	if p.Name != "chocolate" || p.Price != 20 || p.Quantity != 10 || p.ID == "" {
		t.Fatalf("createProduct = %+v", p)
	}
	if ps := field[[]product](t, post(t, r, seedProducts, nil), "products"); len(ps) != 1 || ps[0] != p {
		t.Fatalf("products = %+v", ps)
	}
	place := strings.Replace(seedPlaceOrder, "Add a valid id received from createProduct or products query", p.ID, 1)
	// placeOrder is @authenticated: the router refuses it without a token
	// before calling orders.
	if c := post(t, r, place, nil).code(); c != "UNAUTHORIZED_FIELD_OR_TYPE" {
		t.Fatalf("placeOrder without token: code %q, want the router's UNAUTHORIZED_FIELD_OR_TYPE", c)
	}
	order := field[struct {
		ID       string `json:"_id"`
		UserID   string `json:"userId"`
		Products []struct {
			ID       string `json:"_id"`
			Quantity int    `json:"quantity"`
		} `json:"products"`
	}](t, post(t, r, place, map[string]string{"Authorization": "Bearer " + reg.AccessToken}), "placeOrder")
	if order.ID == "" || order.UserID == "" || len(order.Products) != 1 || order.Products[0].ID != p.ID || order.Products[0].Quantity != 10 {
		t.Fatalf("placeOrder = %+v", order)
	}
	// The stock is gone: a second order is refused with INSUFFICIENT_STOCK.
	if c := post(t, r, place, map[string]string{"Authorization": "Bearer " + reg.AccessToken}).code(); c != "INSUFFICIENT_STOCK" {
		t.Fatalf("second placeOrder: code %q", c)
	}
	// Federation: orders -> products (OrderProduct.product) and users (Order.user, User.orders).
	hist := post(t, r, `{ orders { _id total status user { username } products { quantity unitPrice product { name price quantity } } } me { orders { _id } } }`,
		map[string]string{"Authorization": "Bearer " + reg.AccessToken})
	// The refused second attempt stays in the history as REJECTED, holding no stock.
	var live []json.RawMessage
	for _, o := range field[[]json.RawMessage](t, hist, "orders") {
		if !strings.Contains(string(o), `"status":"REJECTED"`) {
			live = append(live, o)
		}
	}
	want := fmt.Sprintf(`{"_id":%q,"total":200,"status":"CONFIRMED","user":{"username":"arth"},"products":[{"quantity":10,"unitPrice":20,"product":{"name":"chocolate","price":20,"quantity":0}}]}`, order.ID)
	if len(live) != 1 || string(live[0]) != want {
		t.Fatalf("live orders = %s\nwant [%s]", live, want)
	}
	if got := string(field[json.RawMessage](t, hist, "me")); !strings.Contains(got, order.ID) {
		t.Fatalf("me = %s, want it to list order %s", got, order.ID)
	}
}

// routerVerifiesTokens checks that the stack's router verifies bearer
// tokens itself, against API_SECRET as an oct key in a 0600 file of the
// data folder: users' token passes, and a token signed with another secret
// is refused by the router (HTTP 401, before any subgraph) even on a query
// anonymous callers may run. The seed operations carry users' token.
func routerVerifiesTokens(t *testing.T, st *stack.Stack, token string) {
	t.Helper()
	fi, err := os.Stat(filepath.Join(st.DataDir, stack.RouterJWKSFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("router JWK set: %v %v, want mode 0600", fi, err)
	}
	if status, r := postStatus(t, st.RouterURL, seedUsers, map[string]string{"Authorization": "Bearer " + token}); status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("users with users' token: HTTP %d %+v", status, r.Errors)
	}
	parts := strings.Split(token, ".")
	mac := hmac.New(sha256.New, []byte("not-the-stack-secret-0123456789abcdef"))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	status, r := postStatus(t, st.RouterURL, seedUsers, map[string]string{"Authorization": "Bearer " + forged})
	if status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || r.Data != nil || !strings.Contains(r.Errors[0].Message, "invalid token signature") {
		t.Fatalf("users with a forged token: HTTP %d %+v, want the router's 401 UNAUTHENTICATED", status, r)
	}
}

// TestBuyersRaceThroughRouter: 100 concurrent buyers race for 10 units
// through the router; exactly 10 succeed, every other buyer gets
// INSUFFICIENT_STOCK, and stock + units sold equals the initial stock.
func TestBuyersRaceThroughRouter(t *testing.T) {
	st := startStack(t)
	r := st.RouterURL
	admin := map[string]string{"x-api-key": st.AdminKey}
	p := field[struct {
		ID string `json:"_id"`
	}](t, post(t, r, `mutation { createProduct(input: {name: "last units", price: 500, quantity: 10}) { _id } }`, admin), "createProduct")

	const buyers = 100
	tokens := make([]string, buyers)
	for i := range tokens {
		reg := field[struct {
			AccessToken string `json:"access_token"`
		}](t, post(t, r, fmt.Sprintf(`mutation { registerUser(input: {username: "buyer%03d", password: "password%03d"}) { access_token } }`, i, i), nil), "registerUser")
		tokens[i] = reg.AccessToken
	}
	var (
		mu    sync.Mutex
		codes = map[string]int{}
		wg    sync.WaitGroup
	)
	start := time.Now()
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := post(t, r, fmt.Sprintf(`mutation { placeOrder(products: [{_id: %q, quantity: 1}]) { _id status } }`, p.ID),
				map[string]string{"Authorization": "Bearer " + tokens[i]})
			mu.Lock()
			codes[res.code()]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("%d buyers in %s: %v", buyers, time.Since(start), codes)
	if codes[""] != 10 || codes["INSUFFICIENT_STOCK"] != buyers-10 {
		t.Fatalf("outcomes = %v, want 10 successes and %d INSUFFICIENT_STOCK", codes, buyers-10)
	}
	type line struct {
		Quantity int `json:"quantity"`
		Product  struct {
			ID string `json:"_id"`
		} `json:"product"`
	}
	orders := field[[]struct {
		Status   string `json:"status"`
		Products []line `json:"products"`
	}](t, post(t, r, `{ orders { status products { quantity product { _id } } } }`, admin), "orders")
	sold := 0
	for _, o := range orders {
		if o.Status != "CONFIRMED" {
			continue
		}
		for _, l := range o.Products {
			if l.Product.ID == p.ID {
				sold += l.Quantity
			}
		}
	}
	left := field[struct {
		Quantity int `json:"quantity"`
	}](t, post(t, r, fmt.Sprintf(`{ product(id: %q) { quantity } }`, p.ID), nil), "product")
	if sold != 10 || left.Quantity != 0 || sold+left.Quantity != 10 {
		t.Fatalf("invariant: sold %d + left %d != initial 10", sold, left.Quantity)
	}
}

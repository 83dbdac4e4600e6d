package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// objectID matches a MongoDB ObjectID in hex, the shape of every id.
var objectID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// shop wraps a client with the operations the tests share.
type shop struct {
	t     testing.TB
	c     *harness.Client
	admin map[string]string
	// orders is the first orders subgraph, for staff fields the router
	// keeps from admin-key calls (@requiresScopes, e.g. orderHealth).
	orders *harness.Client
}

func newShop(t testing.TB, sys *harness.System, router int) *shop {
	return &shop{t: t, c: harness.NewClient(sys.Routers[router].GraphQL()), admin: map[string]string{"x-api-key": sys.AdminKey},
		orders: harness.NewClient(sys.Orders[0].GraphQL())}
}

// must sends an operation and fails the test on a transport error, a
// non-200 status or any GraphQL error; it decodes data into out.
func (s *shop) must(ctx context.Context, query string, vars map[string]any, headers map[string]string, out any) *harness.Response {
	s.t.Helper()
	r, err := s.c.Do(ctx, query, vars, headers)
	if err != nil {
		s.t.Fatal(err)
	}
	if r.Status != 200 || len(r.Errors) > 0 {
		s.t.Fatalf("%s\nvars %v: status %d: %s", oneLine(query), vars, r.Status, r.Body)
	}
	if out != nil {
		if err := r.Decode(out); err != nil {
			s.t.Fatal(err)
		}
	}
	return r
}

// do sends an operation and fails only on a transport error.
func (s *shop) do(ctx context.Context, query string, vars map[string]any, headers map[string]string) *harness.Response {
	s.t.Helper()
	r, err := s.c.Do(ctx, query, vars, headers)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

type account struct {
	ID, Username, Token string
}

func (a account) auth() map[string]string { return harness.Bearer(a.Token) }

// register creates a user with a unique name and returns its id and token.
func (s *shop) register(ctx context.Context, prefix string) account {
	s.t.Helper()
	name := prefix + "_" + randHex(4)
	var out struct {
		RegisterUser struct {
			AccessToken string `json:"access_token"`
			User        struct {
				ID string `json:"_id"`
			}
		} `json:"registerUser"`
	}
	s.must(ctx, `mutation($in: RegisterUserInput) { registerUser(input: $in) { access_token user { _id } } }`,
		map[string]any{"in": map[string]any{"username": name, "password": "correct horse battery", "email": name + "@example.com"}}, nil, &out)
	return account{ID: out.RegisterUser.User.ID, Username: name, Token: out.RegisterUser.AccessToken}
}

type product struct {
	ID          string  `json:"_id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Price       int     `json:"price"`
	Quantity    int     `json:"quantity"`
}

func (s *shop) createProduct(ctx context.Context, name string, price, quantity int) product {
	s.t.Helper()
	var out struct{ CreateProduct product }
	s.must(ctx, `mutation($in: CreateProductInput) { createProduct(input: $in) { _id name description price quantity } }`,
		map[string]any{"in": map[string]any{"name": name, "price": price, "quantity": quantity, "description": "about " + name}}, s.admin, &out)
	return out.CreateProduct
}

func (s *shop) product(ctx context.Context, id string) product {
	s.t.Helper()
	var out struct{ Product *product }
	s.must(ctx, `query($id: ID!) { product(id: $id) { _id name description price quantity } }`, map[string]any{"id": id}, nil, &out)
	if out.Product == nil {
		s.t.Fatalf("product %s not found", id)
	}
	return *out.Product
}

type orderLine struct {
	ID        string `json:"_id"`
	Quantity  int    `json:"quantity"`
	UnitPrice int    `json:"unitPrice"`
}

type order struct {
	ID       string      `json:"_id"`
	UserID   string      `json:"userId"`
	Status   string      `json:"status"`
	Total    int         `json:"total"`
	Products []orderLine `json:"products"`
}

const orderFields = `_id userId status total products { _id quantity unitPrice }`

// placeOrder places a one-line order and returns the raw response.
func (s *shop) placeOrder(ctx context.Context, a account, productID string, qty int) *harness.Response {
	s.t.Helper()
	return s.do(ctx, `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { `+orderFields+` } }`,
		map[string]any{"p": []any{map[string]any{"_id": productID, "quantity": qty}}}, a.auth())
}

// allOrders lists every order with the admin key (see everyOrder).
func (s *shop) allOrders(ctx context.Context) []order {
	s.t.Helper()
	out, err := s.everyOrder(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// invariant checks, from outside, that for each product initial stock plus
// restocks equals current quantity plus the units in live (CONFIRMED)
// orders, and returns the units sold per product.
func (s *shop) invariant(ctx context.Context, supplied map[string]int) map[string]int {
	s.t.Helper()
	sold, err := s.invariantErr(ctx, supplied)
	if err != nil {
		s.t.Error(err)
	}
	return sold
}

// orderHealthErr reports the orders work still unsettled (orderHealth,
// with the admin key, asked of the orders subgraph: it needs
// MANAGE_ORDERS, which the router does not grant the admin key), or nil
// when every counter is zero.
func (s *shop) orderHealthErr(ctx context.Context) error {
	var out struct {
		OrderHealth struct {
			UnsettledSteps, OwedReleases, PendingOrders int
			OldestUnsettledAgeSeconds                   *int
		}
	}
	r, err := s.orders.Do(ctx, `{ orderHealth { unsettledSteps owedReleases pendingOrders oldestUnsettledAgeSeconds } }`, nil, s.admin)
	if err != nil {
		return err
	}
	if len(r.Errors) > 0 || r.Decode(&out) != nil {
		return fmt.Errorf("orderHealth: %s", r.Body)
	}
	if h := out.OrderHealth; h.UnsettledSteps > 0 || h.OwedReleases > 0 || h.PendingOrders > 0 || h.OldestUnsettledAgeSeconds != nil {
		return fmt.Errorf("orders not settled: unsettled steps %d, owed releases %d, pending orders %d", h.UnsettledSteps, h.OwedReleases, h.PendingOrders)
	}
	return nil
}

// invariantErr is invariant without failing the test, for polling while
// the system settles; it also reports orders still PENDING.
func (s *shop) invariantErr(ctx context.Context, supplied map[string]int) (map[string]int, error) {
	orders, err := s.everyOrder(ctx)
	if err != nil {
		return nil, err
	}
	sold := map[string]int{}
	pending := 0
	for _, o := range orders {
		switch o.Status {
		case "PENDING":
			pending++
		case "CONFIRMED":
			for _, l := range o.Products {
				sold[l.ID] += l.Quantity
			}
		}
	}
	var errs []error
	if pending > 0 {
		errs = append(errs, fmt.Errorf("%d orders still PENDING", pending))
	}
	for id, in := range supplied {
		var p struct{ Product *product }
		r, err := s.c.Do(ctx, `query($id: ID!) { product(id: $id) { _id quantity } }`, map[string]any{"id": id}, nil)
		if err != nil {
			return nil, err
		}
		if len(r.Errors) > 0 || r.Decode(&p) != nil || p.Product == nil {
			return nil, fmt.Errorf("product %s: %s", id, r.Body)
		}
		if q := p.Product.Quantity; q < 0 || in != q+sold[id] {
			errs = append(errs, fmt.Errorf("invariant broken for %s: supplied %d, quantity %d + sold in live orders %d = %d", id, in, q, sold[id], q+sold[id]))
		}
	}
	return sold, errors.Join(errs...)
}

// everyOrder returns every user's orders. The admin `orders` list stops at
// the orders subgraph's page limit (500 orders), which a fault test under
// load passes, so each user's own list is read instead (20 users a
// request); a user's list that reaches the limit is an error, never a
// silent undercount.
func (s *shop) everyOrder(ctx context.Context) ([]order, error) {
	const pageLimit, usersPage, batch = 500, 100, 20
	var ids []string
	for skip := 0; ; skip += usersPage {
		var page struct {
			Users []struct {
				ID string `json:"_id"`
			}
		}
		r, err := s.c.Do(ctx, `query($s: Int, $t: Int) { users(skip: $s, take: $t) { _id } }`, map[string]any{"s": skip, "t": usersPage}, s.admin)
		if err != nil {
			return nil, err
		}
		if len(r.Errors) > 0 || r.Decode(&page) != nil {
			return nil, fmt.Errorf("users: %s", r.Body)
		}
		for _, u := range page.Users {
			ids = append(ids, u.ID)
		}
		if len(page.Users) < usersPage {
			break
		}
	}
	var out []order
	for start := 0; start < len(ids); start += batch {
		var q strings.Builder
		q.WriteString("{")
		for i, id := range ids[start:min(start+batch, len(ids))] {
			fmt.Fprintf(&q, " u%d: user(id: %q) { orders { %s } }", i, id, orderFields)
		}
		q.WriteString(" }")
		r, err := s.c.Do(ctx, q.String(), nil, s.admin)
		if err != nil {
			return nil, err
		}
		var users map[string]*struct{ Orders []order }
		if len(r.Errors) > 0 || r.Decode(&users) != nil {
			return nil, fmt.Errorf("orders of users: %s", r.Body)
		}
		for _, u := range users {
			if u == nil {
				continue
			}
			if len(u.Orders) >= pageLimit {
				return nil, fmt.Errorf("a user has %d orders, the list limit: the count would be short", len(u.Orders))
			}
			out = append(out, u.Orders...)
		}
	}
	return out, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// jwtClaims decodes a token's payload without verifying it.
func jwtClaims(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return m
}

func codesOf(r *harness.Response) string { return fmt.Sprint(r.Codes()) }

func fmtStats(requests, orders, confirmed, errored, s5xx, transport int, codes map[string]int) string {
	return fmt.Sprintf("requests %d (orders %d, confirmed %d), with GraphQL errors %d %v, 5xx %d, transport errors %d",
		requests, orders, confirmed, errored, codes, s5xx, transport)
}

// recoveryEnv makes orders recovery settle an order whose answer was lost
// (a timeout, a killed replica) soon: the grace must exceed the orders
// service's reserve budget (ORDER_RESERVE_TIMEOUT, 12 s by default, which
// the service enforces at start), so it is just over it, checked every
// second.
func recoveryEnv() map[string]string {
	return map[string]string{
		"ORDER_RECOVERY_GRACE":    "13s",
		"ORDER_RECOVERY_INTERVAL": "1s",
	}
}

// loadAverage reads the 1-, 5- and 15-minute load averages, to tell an
// overloaded machine from a slow system in failure reports.
func loadAverage() (string, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "", fmt.Errorf("load average: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "", fmt.Errorf("load average: %q", b)
	}
	return strings.Join(f[:3], " "), nil
}

// stockReport describes a product's stock for a failure message: the
// newest ledger entries (the truth) and the quantity read again after two
// seconds, to tell a stale read from a lost or missing movement.
func (s *shop) stockReport(ctx context.Context, productID string) string {
	s.t.Helper()
	r, err := s.c.Do(ctx, `query($id: ID!) { inventoryLedger(productId: $id, take: 6) { version kind delta balance orderId createdAt } }`,
		map[string]any{"id": productID}, s.admin)
	ledger := ""
	if err != nil {
		ledger = err.Error()
	} else {
		ledger = string(r.Body)
	}
	time.Sleep(2 * time.Second)
	var p struct{ Product *product }
	again := "unknown"
	if r, err := s.c.Do(ctx, `query($id: ID!) { product(id: $id) { quantity } }`, map[string]any{"id": productID}, nil); err == nil && r.Decode(&p) == nil && p.Product != nil {
		again = fmt.Sprint(p.Product.Quantity)
	}
	return fmt.Sprintf("newest ledger entries of %s: %s\nquantity read again 2 s later: %s", productID, ledger, again)
}

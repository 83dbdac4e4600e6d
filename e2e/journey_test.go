package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestCustomerJourney walks a customer through the shop over the router:
// register with an email, log in, browse page by page and by search, order
// two products, see the order with product names through federation, and
// cancel it. It also covers seed 001's capabilities: account with email,
// products with description and paging, order history per account and the
// order total.
func TestCustomerJourney(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	supplied := map[string]int{}
	var catalog []product
	for i := range 7 {
		p := s.createProduct(ctx, fmt.Sprintf("tea %d", i), 150+i, 5)
		if p.Description == nil || *p.Description != "about "+p.Name {
			t.Fatalf("description not kept: %+v", p)
		}
		catalog = append(catalog, p)
		supplied[p.ID] = 5
	}

	// Register with an email, then log in with the same credentials.
	name := "journey_" + randHex(3)
	var reg struct {
		RegisterUser struct {
			AccessToken string `json:"access_token"`
			User        struct {
				ID       string `json:"_id"`
				Username string
				Email    *string
			}
		} `json:"registerUser"`
	}
	s.must(ctx, `mutation($in: RegisterUserInput) { registerUser(input: $in) { access_token user { _id username email } } }`,
		map[string]any{"in": map[string]any{"username": name, "password": "s3cret-passw0rd", "email": name + "@example.com"}}, nil, &reg)
	if reg.RegisterUser.User.Email == nil || *reg.RegisterUser.User.Email != name+"@example.com" {
		t.Fatalf("registered user = %+v, want own email visible", reg.RegisterUser.User)
	}
	var login struct {
		Login struct {
			AccessToken string `json:"access_token"`
			User        struct {
				ID string `json:"_id"`
			}
		}
	}
	s.must(ctx, `mutation($in: LoginInput) { login(input: $in) { access_token user { _id } } }`,
		map[string]any{"in": map[string]any{"username": name, "password": "s3cret-passw0rd"}}, nil, &login)
	me := account{ID: login.Login.User.ID, Username: name, Token: login.Login.AccessToken}
	if me.ID == "" || me.ID != reg.RegisterUser.User.ID || me.Token == "" {
		t.Fatalf("login = %+v, registered %+v", login.Login, reg.RegisterUser)
	}
	if r := s.do(ctx, `mutation { login(input: {username: "`+name+`", password: "wrong-password"}) { access_token } }`, nil, nil); !r.HasCode("UNAUTHENTICATED") {
		t.Errorf("login with a wrong password: %s, want UNAUTHENTICATED", r.Body)
	}
	var who struct {
		Me struct{ ID, Username, Email string } `json:"me"`
	}
	s.must(ctx, `{ me { id: _id username email } }`, nil, me.auth(), &who)
	if who.Me.ID != me.ID || who.Me.Email != name+"@example.com" {
		t.Fatalf("me = %+v", who.Me)
	}

	// Browse: pages of 3 cover the catalogue exactly once, in order.
	var seen []string
	for skip := 0; ; skip += 3 {
		var page struct{ Products []product }
		s.must(ctx, `query($s: Int, $t: Int) { products(skip: $s, take: $t) { _id name description price quantity } }`,
			map[string]any{"s": skip, "t": 3}, nil, &page)
		for _, p := range page.Products {
			seen = append(seen, p.ID)
		}
		if len(page.Products) < 3 {
			break
		}
	}
	if len(seen) != len(catalog) {
		t.Fatalf("paging saw %d products, want %d", len(seen), len(catalog))
	}
	for i, p := range catalog {
		if seen[i] != p.ID {
			t.Fatalf("paging order: position %d is %s, want %s", i, seen[i], p.ID)
		}
	}
	var found struct{ Products []product }
	s.must(ctx, `{ products(search: "TEA 3") { _id name } }`, nil, nil, &found)
	if len(found.Products) != 1 || found.Products[0].ID != catalog[3].ID {
		t.Fatalf("search = %+v, want tea 3", found.Products)
	}

	// Order two lines; the total is the sum of quantity * unit price.
	var placed struct{ PlaceOrder order }
	s.must(ctx, `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { `+orderFields+` } }`,
		map[string]any{"p": []any{
			map[string]any{"_id": catalog[1].ID, "quantity": 2},
			map[string]any{"_id": catalog[4].ID, "quantity": 3},
		}}, me.auth(), &placed)
	o := placed.PlaceOrder
	wantTotal := 2*catalog[1].Price + 3*catalog[4].Price
	if o.Status != "CONFIRMED" || o.UserID != me.ID || o.Total != wantTotal || len(o.Products) != 2 {
		t.Fatalf("placed order = %+v, want CONFIRMED with total %d", o, wantTotal)
	}
	if got := s.product(ctx, catalog[4].ID).Quantity; got != 2 {
		t.Fatalf("stock after order = %d, want 2", got)
	}

	// History through federation: users -> orders -> products.
	var hist struct {
		Me struct {
			Orders []struct {
				ID       string `json:"_id"`
				Total    int
				Products []struct {
					Quantity int
					Product  struct{ Name string }
				}
			}
		}
	}
	s.must(ctx, `{ me { orders { _id total products { quantity product { name } } } } }`, nil, me.auth(), &hist)
	if len(hist.Me.Orders) != 1 || hist.Me.Orders[0].ID != o.ID || hist.Me.Orders[0].Total != wantTotal {
		t.Fatalf("me.orders = %+v", hist.Me.Orders)
	}
	names := map[string]int{}
	for _, l := range hist.Me.Orders[0].Products {
		names[l.Product.Name] = l.Quantity
	}
	if names[catalog[1].Name] != 2 || names[catalog[4].Name] != 3 {
		t.Fatalf("order lines by product name = %v", names)
	}
	var byID struct {
		Order struct {
			ID   string `json:"_id"`
			User struct{ Username string }
		}
	}
	s.must(ctx, `query($id: ID!) { order(id: $id) { _id user { username } } }`, map[string]any{"id": o.ID}, me.auth(), &byID)
	if byID.Order.ID != o.ID || byID.Order.User.Username != name {
		t.Fatalf("order(id) = %+v", byID.Order)
	}

	// Another account's history does not include it.
	other := s.register(ctx, "other")
	var theirs struct{ Orders []order }
	s.must(ctx, `{ orders { _id } }`, nil, other.auth(), &theirs)
	if len(theirs.Orders) != 0 {
		t.Fatalf("another account sees orders %+v", theirs.Orders)
	}

	// Cancel: the stock comes back and the order shows CANCELLED.
	var cancelled struct{ CancelOrder order }
	s.must(ctx, `mutation($id: ID!) { cancelOrder(id: $id) { `+orderFields+` } }`, map[string]any{"id": o.ID}, me.auth(), &cancelled)
	if cancelled.CancelOrder.Status != "CANCELLED" {
		t.Fatalf("cancelled order = %+v", cancelled.CancelOrder)
	}
	if got := s.product(ctx, catalog[4].ID).Quantity; got != 5 {
		t.Fatalf("stock after cancel = %d, want 5 (cancelOrder answered %s)\n%s", got, cancelled.CancelOrder.Status, s.stockReport(ctx, catalog[4].ID))
	}
	// Cancelling again is either refused or idempotent; never a second release.
	r := s.do(ctx, `mutation($id: ID!) { cancelOrder(id: $id) { status } }`, map[string]any{"id": o.ID}, me.auth())
	if len(r.Errors) == 0 && !strings.Contains(string(r.Data), `"CANCELLED"`) {
		t.Errorf("cancelling twice: %s, want an error or the order still CANCELLED", r.Body)
	}
	if got := s.product(ctx, catalog[4].ID).Quantity; got != 5 {
		t.Fatalf("stock after a second cancel = %d, want 5\n%s", got, s.stockReport(ctx, catalog[4].ID))
	}
	s.invariant(ctx, supplied)
	sys.CheckAlive(t)
}

package e2e

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// seedOperations splits testdata/seed000_operations.graphql (the seed's
// operations, verbatim) into one document per operation, keyed by name,
// each with the comment lines that precede it.
func seedOperations(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("testdata/seed000_operations.graphql")
	if err != nil {
		t.Fatal(err)
	}
	start := regexp.MustCompile(`^(query|mutation) (\w+) \{$`)
	ops := map[string]string{}
	var name string
	var buf, comments []string
	flush := func() {
		if name != "" {
			ops[name] = strings.Join(buf, "\n") + "\n"
		}
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if m := start.FindStringSubmatch(line); m != nil {
			flush()
			name, buf = m[2], append(comments, line)
			comments = nil
			continue
		}
		if strings.HasPrefix(line, "#") {
			comments = append(comments, line)
			continue
		}
		buf = append(buf, line)
	}
	flush()
	for _, want := range []string{"Users", "Products", "RegisterUser", "CreateProduct", "PlaceOrder"} {
		if ops[want] == "" {
			t.Fatalf("seed operation %s missing from testdata", want)
		}
	}
	return ops
}

// TestSeedOperationsVerbatim sends every operation of the seed, as written,
// through the router and checks the documented shape of each answer.
func TestSeedOperationsVerbatim(t *testing.T) {
	t.Parallel()
	ops := seedOperations(t)
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var users struct{ Users []map[string]any }
	s.must(ctx, ops["Users"], nil, nil, &users)
	if users.Users == nil {
		t.Fatalf("users = null, want a list")
	}

	var reg struct {
		RegisterUser map[string]any `json:"registerUser"`
	}
	s.must(ctx, ops["RegisterUser"], nil, nil, &reg)
	token, _ := reg.RegisterUser["access_token"].(string)
	if len(reg.RegisterUser) != 1 || token == "" {
		t.Fatalf("registerUser = %v, want exactly {access_token}", reg.RegisterUser)
	}
	userID, _ := jwtClaims(t, token)["userId"].(string)
	if !objectID.MatchString(userID) {
		t.Fatalf("token claims %v: userId is not an ObjectID", jwtClaims(t, token))
	}

	// The seed calls the admin header x-api-token here.
	var created struct{ CreateProduct product }
	s.must(ctx, ops["CreateProduct"], nil, map[string]string{"x-api-token": sys.Secret}, &created)
	p := created.CreateProduct
	if !objectID.MatchString(p.ID) || p.Name != "chocolate" || p.Price != 20 || p.Quantity != 10 {
		t.Fatalf("createProduct = %+v, want chocolate/20/10 with an ObjectID", p)
	}

	var prods struct{ Products []product }
	s.must(ctx, ops["Products"], nil, nil, &prods)
	if len(prods.Products) != 1 || prods.Products[0] != (product{ID: p.ID, Name: "chocolate", Price: 20, Quantity: 10}) {
		t.Fatalf("products = %+v, want the chocolate", prods.Products)
	}

	placeOrder := strings.Replace(ops["PlaceOrder"], "Add a valid id received from createProduct or products query", p.ID, 1)
	var placed struct {
		PlaceOrder struct {
			ID       string `json:"_id"`
			UserID   string `json:"userId"`
			Products []struct {
				ID       string `json:"_id"`
				Quantity int    `json:"quantity"`
			}
		} `json:"placeOrder"`
	}
	s.must(ctx, placeOrder, nil, harness.Bearer(token), &placed)
	o := placed.PlaceOrder
	if !objectID.MatchString(o.ID) || o.UserID != userID || len(o.Products) != 1 || o.Products[0].ID != p.ID || o.Products[0].Quantity != 10 {
		t.Fatalf("placeOrder = %+v, want an order of 10 %s for %s", o, p.ID, userID)
	}

	s.must(ctx, ops["Users"], nil, nil, &users)
	found := false
	for _, u := range users.Users {
		if u["_id"] == userID && u["username"] == "arth" && len(u) == 2 {
			found = true
		}
	}
	if !found {
		t.Fatalf("users = %v, want arth (%s) with exactly _id and username", users.Users, userID)
	}
	s.must(ctx, ops["Products"], nil, nil, &prods)
	if len(prods.Products) != 1 || prods.Products[0].Quantity != 0 {
		t.Fatalf("products after the order = %+v, want quantity 0", prods.Products)
	}
	// The same seed operation again: arth exists, the stock is gone.
	if r := s.do(ctx, ops["RegisterUser"], nil, nil); len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("second registration of arth: %s, want BAD_USER_INPUT", r.Body)
	}
	if r := s.do(ctx, placeOrder, nil, harness.Bearer(token)); !r.HasCode("INSUFFICIENT_STOCK") {
		t.Errorf("ordering from empty stock: %s, want INSUFFICIENT_STOCK", r.Body)
	}
	s.invariant(ctx, map[string]int{p.ID: 10})
	sys.CheckAlive(t)
}

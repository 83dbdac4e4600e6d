package e2e

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// cartView is the caller's cart as the router returns it, with each line's
// product name resolved by the products subgraph through federation.
type cartView struct {
	ID        string  `json:"_id"`
	ExpiresAt *string `json:"expiresAt"`
	Total     int     `json:"total"`
	Lines     []struct {
		ID        string `json:"_id"`
		Quantity  int    `json:"quantity"`
		Held      int    `json:"held"`
		UnitPrice int    `json:"unitPrice"`
		Product   *struct {
			Name  string `json:"name"`
			Price int    `json:"price"`
		} `json:"product"`
	} `json:"lines"`
}

const cartFields = `_id expiresAt total lines { _id quantity held unitPrice product { name price } }`

// line returns the cart's line for a product (zero when absent).
func (c cartView) line(productID string) (quantity, held int, name string) {
	for _, l := range c.Lines {
		if l.ID == productID {
			if l.Product != nil {
				name = l.Product.Name
			}
			return l.Quantity, l.Held, name
		}
	}
	return 0, 0, ""
}

// expiry parses expiresAt; the zero time when absent or malformed.
func (c cartView) expiry() time.Time {
	if c.ExpiresAt == nil {
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339Nano, *c.ExpiresAt)
	if err != nil {
		return time.Time{}
	}
	return at
}

// cartOp sends a cart mutation or query and returns the cart it answers
// with (nil on errors) and the raw response for the caller to judge.
func (s *shop) cartOp(ctx context.Context, a account, query string, vars map[string]any) (*cartView, *harness.Response) {
	s.t.Helper()
	r := s.do(ctx, query, vars, a.auth())
	var out map[string]*cartView
	if len(r.Errors) > 0 || r.Decode(&out) != nil {
		return nil, r
	}
	for _, c := range out {
		return c, r
	}
	return nil, r
}

// mustCart is cartOp that fails the test unless a cart came back.
func (s *shop) mustCart(ctx context.Context, a account, query string, vars map[string]any) cartView {
	s.t.Helper()
	c, r := s.cartOp(ctx, a, query, vars)
	if c == nil {
		s.t.Fatalf("%s\nvars %v: status %d: %s", oneLine(query), vars, r.Status, r.Body)
		return cartView{}
	}
	return *c
}

func (s *shop) cart(ctx context.Context, a account) cartView {
	s.t.Helper()
	return s.mustCart(ctx, a, `{ cart { `+cartFields+` } }`, nil)
}

func (s *shop) addToCart(ctx context.Context, a account, productID string, qty int) (*cartView, *harness.Response) {
	s.t.Helper()
	return s.cartOp(ctx, a, `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { `+cartFields+` } }`,
		map[string]any{"p": productID, "q": qty})
}

// checkout sends checkout and returns the order (nil on errors) and the response.
func (s *shop) checkout(ctx context.Context, a account) (*order, *harness.Response) {
	s.t.Helper()
	r := s.do(ctx, `mutation { checkout { `+orderFields+` } }`, nil, a.auth())
	var out struct{ Checkout *order }
	if len(r.Errors) > 0 || r.Decode(&out) != nil {
		return nil, r
	}
	return out.Checkout, r
}

// cartInvariantErr checks, from outside, that for every product initial
// stock plus restocks equals available units (`quantity`) plus units held
// in the shoppers' carts plus units in live (CONFIRMED) orders. Shoppers
// must be every account that may hold stock. It also reports PENDING
// orders. It returns the units held and sold per product.
func (s *shop) cartInvariantErr(ctx context.Context, supplied map[string]int, shoppers []account) (held, sold map[string]int, err error) {
	var all struct{ Orders []order }
	r, err := s.c.Do(ctx, `{ orders { `+orderFields+` } }`, nil, s.admin)
	if err != nil {
		return nil, nil, err
	}
	if len(r.Errors) > 0 || r.Decode(&all) != nil {
		return nil, nil, fmt.Errorf("orders: %s", r.Body)
	}
	sold, held = map[string]int{}, map[string]int{}
	var errs []error
	pending := 0
	for _, o := range all.Orders {
		switch o.Status {
		case "PENDING":
			pending++
		case "CONFIRMED":
			for _, l := range o.Products {
				sold[l.ID] += l.Quantity
			}
		}
	}
	if pending > 0 {
		errs = append(errs, fmt.Errorf("%d orders still PENDING", pending))
	}
	for _, a := range shoppers {
		var c struct{ Cart *cartView }
		r, err := s.c.Do(ctx, `{ cart { `+cartFields+` } }`, nil, a.auth())
		if err != nil {
			return nil, nil, err
		}
		if len(r.Errors) > 0 || r.Decode(&c) != nil || c.Cart == nil {
			return nil, nil, fmt.Errorf("cart of %s: %s", a.Username, r.Body)
		}
		for _, l := range c.Cart.Lines {
			held[l.ID] += l.Held
		}
	}
	for id, in := range supplied {
		var p struct{ Product *product }
		r, err := s.c.Do(ctx, `query($id: ID!) { product(id: $id) { _id quantity } }`, map[string]any{"id": id}, nil)
		if err != nil {
			return nil, nil, err
		}
		if len(r.Errors) > 0 || r.Decode(&p) != nil || p.Product == nil {
			return nil, nil, fmt.Errorf("product %s: %s", id, r.Body)
		}
		if q := p.Product.Quantity; q < 0 || in != q+held[id]+sold[id] {
			errs = append(errs, fmt.Errorf("invariant broken for %s: supplied %d, available %d + held %d + sold in live orders %d = %d",
				id, in, q, held[id], sold[id], q+held[id]+sold[id]))
		}
	}
	return held, sold, errors.Join(errs...)
}

// cartInvariant checks cartInvariantErr, retrying for a few seconds: a
// hold that expires between reading the carts and reading the stock (the
// sweeper runs every 200 ms) can make one reading disagree, a broken
// ledger makes every reading disagree.
func (s *shop) cartInvariant(ctx context.Context, supplied map[string]int, shoppers []account) (held, sold map[string]int) {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		held, sold, err := s.cartInvariantErr(ctx, supplied, shoppers)
		if err == nil {
			return held, sold
		}
		if time.Now().After(deadline) {
			s.t.Errorf("cart invariant: %v", err)
			return held, sold
		}
		time.Sleep(300 * time.Millisecond)
	}
}

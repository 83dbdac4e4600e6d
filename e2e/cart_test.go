package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// holdTTL is how long the cart test's products processes hold a cart's
// units after its last change (HOLD_TTL), short so expiry is observable.
const holdTTL = 3 * time.Second

// TestCartJourney drives carts through two routers, two products replicas
// and two orders replicas (issue 12): holds show in the cart with product
// names through federation and reduce what others see at once; an
// untouched hold expires and its units return without any request;
// checkout after expiry re-holds what stock allows and otherwise fails
// naming the line without converting anything; a double checkout makes one
// order. After every step the inventory invariant holds from outside:
// initial + restocks == available + live holds + units in live orders.
func TestCartJourney(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{Products: 2, Orders: 2, Routers: 2, Env: map[string]string{
		"HOLD_TTL":            holdTTL.String(),
		"HOLD_SWEEP_INTERVAL": "200ms",
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// a and b reach different products and orders replicas.
	a, b := newShop(t, sys, 0), newShop(t, sys, 1)

	tea := a.createProduct(ctx, "cart tea", 250, 10)
	mug := a.createProduct(ctx, "cart mug", 1200, 3)
	supplied := map[string]int{tea.ID: 10, mug.ID: 3}
	alice, bob, carol, dave := a.register(ctx, "alice"), b.register(ctx, "bob"), a.register(ctx, "carol"), b.register(ctx, "dave")
	shoppers := []account{alice, bob, carol, dave}
	available := func(s *shop, want map[string]int, when string) {
		t.Helper()
		for id, q := range want {
			if got := s.product(ctx, id).Quantity; got != q {
				t.Errorf("%s: quantity of %s = %d, want %d", when, id, got, q)
			}
		}
	}

	// cart is @authenticated: the router refuses it without a token.
	if r := a.do(ctx, `{ cart { _id } }`, nil, nil); !r.HasCode("UNAUTHORIZED_FIELD_OR_TYPE") || string(r.Data) != `{"cart":null}` {
		t.Errorf("cart without a token: %s, want UNAUTHORIZED_FIELD_OR_TYPE and no cart", r.Body)
	}

	// Alice fills her cart through router 0: held units, names through
	// federation, the total and when the hold ends.
	a.mustCart(ctx, alice, `mutation($p: ID!) { addToCart(productId: $p, quantity: 4) { _id } }`, map[string]any{"p": tea.ID})
	c := a.mustCart(ctx, alice, `mutation($p: ID!) { addToCart(productId: $p, quantity: 2) { `+cartFields+` } }`, map[string]any{"p": mug.ID})
	if q, h, name := c.line(tea.ID); q != 4 || h != 4 || name != tea.Name {
		t.Errorf("tea line = quantity %d held %d name %q, want 4, 4, %q: %+v", q, h, name, tea.Name, c)
	}
	if q, h, name := c.line(mug.ID); q != 2 || h != 2 || name != mug.Name {
		t.Errorf("mug line = quantity %d held %d name %q, want 2, 2, %q: %+v", q, h, name, mug.Name, c)
	}
	if want := 4*tea.Price + 2*mug.Price; c.Total != want || len(c.Lines) != 2 {
		t.Errorf("cart total %d with %d lines, want %d with 2", c.Total, len(c.Lines), want)
	}
	if exp := c.expiry(); exp.Before(time.Now()) || exp.After(time.Now().Add(holdTTL+2*time.Second)) {
		t.Errorf("expiresAt = %v, want within the hold TTL (%s) from now", c.ExpiresAt, holdTTL)
	}
	if again := b.cart(ctx, alice); again.ID != c.ID || again.Total != c.Total || len(again.Lines) != 2 {
		t.Errorf("alice's cart through router 1 = %+v, want %+v", again, c)
	}

	// Others see the held units gone at once through both routers, so both
	// products replicas (the hold went through orders-0 to products-1),
	// and cannot hold more than what is left.
	for i, sh := range []*shop{a, b} {
		available(sh, map[string]int{tea.ID: 6, mug.ID: 1}, fmt.Sprintf("while alice holds, router %d", i))
		var listed struct{ Products []product }
		sh.must(ctx, `{ products(search: "cart ") { _id quantity } }`, nil, nil, &listed)
		for _, p := range listed.Products {
			if want := map[string]int{tea.ID: 6, mug.ID: 1}[p.ID]; p.Quantity != want {
				t.Errorf("router %d: products lists %s with quantity %d while alice holds, want %d", i, p.ID, p.Quantity, want)
			}
		}
	}
	if _, r := b.addToCart(ctx, bob, mug.ID, 2); !r.HasCode("INSUFFICIENT_STOCK") || r.Errors[0].Extensions["available"] != float64(1) || r.Errors[0].Extensions["productId"] != mug.ID {
		t.Errorf("bob adding 2 of the 1 mug left: %s, want INSUFFICIENT_STOCK with productId %s and available 1", r.Body, mug.ID)
	}
	if got := b.cart(ctx, bob); len(got.Lines) != 0 {
		t.Errorf("bob's cart after a refused add = %+v, want empty", got)
	}

	// Changing a line gives back the difference and extends the hold;
	// carol holds the last mug.
	time.Sleep(100 * time.Millisecond)
	c2 := a.mustCart(ctx, alice, `mutation($p: ID!) { updateCartLine(productId: $p, quantity: 3) { `+cartFields+` } }`, map[string]any{"p": tea.ID})
	if q, h, _ := c2.line(tea.ID); q != 3 || h != 3 || !c2.expiry().After(c.expiry()) {
		t.Errorf("after updateCartLine(tea, 3): %+v, want 3 held and expiresAt after %v", c2, c.expiry())
	}
	if _, r := b.addToCart(ctx, carol, mug.ID, 1); len(r.Errors) > 0 {
		t.Fatalf("carol adds the last mug: %s", r.Body)
	}
	if _, r := b.addToCart(ctx, carol, tea.ID, 1); len(r.Errors) > 0 {
		t.Fatalf("carol adds a tea: %s", r.Body)
	}
	available(a, map[string]int{tea.ID: 6, mug.ID: 0}, "while alice and carol hold")
	if held, _ := a.cartInvariant(ctx, supplied, shoppers); held[tea.ID] != 4 || held[mug.ID] != 3 {
		t.Errorf("held = %v, want tea 4 and mug 3", held)
	}

	// Nobody touches the carts: the holds expire, and the units return
	// without any request about them.
	subCtx, stopSub := context.WithCancel(ctx)
	defer stopSub()
	updates, err := b.c.Subscribe(subCtx, `subscription($id: ID) { inventoryUpdated(productId: $id) { _id quantity } }`, map[string]any{"id": mug.ID}, nil)
	if err != nil {
		t.Fatalf("inventoryUpdated over SSE through router 1: %v", err)
	}
	first, last := c2.expiry(), b.cart(ctx, carol).expiry()
	waitAvailable(ctx, t, b, map[string]int{tea.ID: 10, mug.ID: 3}, last)
	// Subscribers hear of it too; nothing touched the mug between opening
	// the stream and the first expiry, so earlier events are replays.
	waitUpdate(t, updates, mug.ID, 3, first, last.Add(10*time.Second))
	stopSub()
	for _, who := range []account{alice, carol} {
		got := a.cart(ctx, who)
		for _, l := range got.Lines {
			if l.Held != 0 {
				t.Errorf("%s's cart after expiry = %+v, want lines kept with nothing held", who.Username, got)
			}
		}
		if len(got.Lines) != 2 {
			t.Errorf("%s's cart after expiry has %d lines, want 2", who.Username, len(got.Lines))
		}
	}
	var ledger struct{ InventoryLedger []struct{ Kind string } }
	b.must(ctx, `query($id: ID!) { inventoryLedger(productId: $id, take: 10) { kind } }`, map[string]any{"id": mug.ID}, b.admin, &ledger)
	if len(ledger.InventoryLedger) == 0 || ledger.InventoryLedger[0].Kind != "HOLD_RELEASE" {
		t.Errorf("mug's ledger after expiry = %+v, want a HOLD_RELEASE first", ledger.InventoryLedger)
	}
	a.cartInvariant(ctx, supplied, shoppers)

	// Someone else takes mugs without a cart: alice's checkout cannot hold
	// her 2 again and fails naming that line; nothing is converted.
	if r := b.placeOrder(ctx, bob, mug.ID, 2); len(r.Errors) > 0 {
		t.Fatalf("bob orders 2 mugs: %s", r.Body)
	}
	if o, r := a.checkout(ctx, alice); o != nil || !r.HasCode("INSUFFICIENT_STOCK") || !namesOnly(r, mug.ID, 2, 1) {
		t.Errorf("alice's checkout with 1 mug left: %s\nwant INSUFFICIENT_STOCK with extensions.lines = [{productId %s requested 2 available 1}]", r.Body, mug.ID)
	}
	if got := a.cart(ctx, alice); len(got.Lines) != 2 {
		t.Errorf("alice's cart after a refused checkout = %+v, want both lines kept", got)
	}
	var mine struct{ Orders []order }
	a.must(ctx, `{ orders { _id } }`, nil, alice.auth(), &mine)
	if len(mine.Orders) != 0 {
		t.Errorf("a refused checkout made orders %+v", mine.Orders)
	}
	available(b, map[string]int{mug.ID: 1}, "after alice's refused checkout")
	a.cartInvariant(ctx, supplied, shoppers)

	// Carol's hold expired too, but stock is left: checkout holds again
	// and converts, and her next cart is a new, empty one.
	co, r := b.checkout(ctx, carol)
	if co == nil || co.Status != "CONFIRMED" || co.Total != tea.Price+mug.Price || co.UserID != carol.ID || len(co.Products) != 2 {
		t.Fatalf("carol's checkout after expiry with stock left: %s, want CONFIRMED with total %d", r.Body, tea.Price+mug.Price)
	}
	if got := b.cart(ctx, carol); len(got.Lines) != 0 || got.ID == co.ID {
		t.Errorf("carol's cart after checkout = %+v, want a new empty cart", got)
	}
	available(a, map[string]int{mug.ID: 0}, "after carol's checkout")

	// Alice drops the mug and checks out what is held.
	a.mustCart(ctx, alice, `mutation($p: ID!) { removeFromCart(productId: $p) { _id } }`, map[string]any{"p": mug.ID})
	if o, r := a.checkout(ctx, alice); o == nil || o.Status != "CONFIRMED" || o.Total != 3*tea.Price {
		t.Errorf("alice's checkout without the mug: %s, want CONFIRMED with total %d", r.Body, 3*tea.Price)
	}
	a.cartInvariant(ctx, supplied, shoppers)

	doubleCheckout(ctx, t, []*shop{a, b}, dave, tea.ID)
	available(b, map[string]int{tea.ID: 10 - 3 - 1 - 2, mug.ID: 0}, "at the end")
	held, sold := a.cartInvariant(ctx, supplied, shoppers)
	if held[tea.ID]+held[mug.ID] != 0 || sold[tea.ID] != 6 || sold[mug.ID] != 3 {
		t.Errorf("at the end held %v and sold %v, want nothing held, 6 teas and 3 mugs sold", held, sold)
	}
	sys.CheckAlive(t)
}

// doubleCheckout checks one cart out four times at once through every
// router (so through different orders replicas) and once more afterwards:
// every answer is the same order, the cart's id, and the units are taken
// once.
func doubleCheckout(ctx context.Context, t *testing.T, shops []*shop, who account, productID string) {
	t.Helper()
	before := shops[0].product(ctx, productID).Quantity
	c, r := shops[0].addToCart(ctx, who, productID, 2)
	if c == nil {
		t.Fatalf("%s adds 2: %s", who.Username, r.Body)
	}
	ids := make([]string, 4)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			o, r := shops[i%len(shops)].checkout(ctx, who)
			if o == nil || o.Status != "CONFIRMED" {
				t.Errorf("concurrent checkout %d: %s", i, r.Body)
				return
			}
			ids[i] = o.ID
		})
	}
	wg.Wait()
	again, r := shops[1%len(shops)].checkout(ctx, who)
	if again == nil {
		t.Fatalf("repeated checkout: %s", r.Body)
	}
	for _, id := range append(ids, again.ID) {
		if id != c.ID {
			t.Errorf("checkouts answered orders %v then %s, want all %s (the cart's id)", ids, again.ID, c.ID)
			break
		}
	}
	var theirs struct{ Orders []order }
	shops[0].must(ctx, `{ orders { `+orderFields+` } }`, nil, who.auth(), &theirs)
	if len(theirs.Orders) != 1 || theirs.Orders[0].Products[0].Quantity != 2 {
		t.Errorf("after a double checkout %s has orders %+v, want one order of 2", who.Username, theirs.Orders)
	}
	if got := shops[1%len(shops)].product(ctx, productID).Quantity; got != before-2 {
		t.Errorf("after a double checkout of 2 units quantity went %d -> %d", before, got)
	}
}

// waitAvailable polls `products` until every product shows the wanted
// quantity, allowing the sweeper a few seconds past expiresAt.
func waitAvailable(ctx context.Context, t *testing.T, s *shop, want map[string]int, expiresAt time.Time) {
	t.Helper()
	if expiresAt.IsZero() {
		t.Fatal("no expiresAt to wait for")
	}
	deadline := expiresAt.Add(5 * time.Second)
	for {
		var out struct{ Products []product }
		s.must(ctx, `{ products(take: 100) { _id quantity } }`, nil, nil, &out)
		got := map[string]int{}
		for _, p := range out.Products {
			if _, ok := want[p.ID]; ok {
				got[p.ID] = p.Quantity
			}
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			t.Logf("units back in products %s after expiresAt", time.Since(expiresAt).Round(10*time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("products shows %v 5s after the holds expired at %s, want %v", got, expiresAt.Format(time.RFC3339Nano), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitUpdate waits until deadline for an inventoryUpdated event, received
// after since, showing the product with quantity.
func waitUpdate(t *testing.T, updates <-chan *harness.Response, productID string, quantity int, since, deadline time.Time) {
	t.Helper()
	var seen []string
	timeout := time.After(time.Until(deadline))
	for {
		select {
		case r, ok := <-updates:
			if !ok {
				t.Errorf("inventoryUpdated stream ended before showing %s with quantity %d; saw %v", productID, quantity, seen)
				return
			}
			var ev struct {
				InventoryUpdated *struct {
					ID       string `json:"_id"`
					Quantity int    `json:"quantity"`
				} `json:"inventoryUpdated"`
			}
			if len(r.Errors) > 0 || r.Decode(&ev) != nil || ev.InventoryUpdated == nil {
				t.Errorf("inventoryUpdated event: %s", r.Body)
				continue
			}
			seen = append(seen, fmt.Sprintf("%s=%d", time.Now().Format("15:04:05.000"), ev.InventoryUpdated.Quantity))
			if time.Now().After(since) && ev.InventoryUpdated.ID == productID && ev.InventoryUpdated.Quantity == quantity {
				t.Logf("inventoryUpdated events (received at=quantity; holds first expired at %s): %v", since.Format("15:04:05.000"), seen)
				return
			}
		case <-timeout:
			t.Errorf("no inventoryUpdated event showing %s with quantity %d after %s; saw %v", productID, quantity, since.Format("15:04:05.000"), seen)
			return
		}
	}
}

// namesOnly reports whether the first error's extensions.lines names
// exactly one line: productID with requested and available units.
func namesOnly(r *harness.Response, productID string, requested, available int) bool {
	if len(r.Errors) == 0 {
		return false
	}
	lines, ok := r.Errors[0].Extensions["lines"].([]any)
	if !ok || len(lines) != 1 {
		return false
	}
	l, ok := lines[0].(map[string]any)
	return ok && l["productId"] == productID && l["requested"] == float64(requested) && l["available"] == float64(available)
}

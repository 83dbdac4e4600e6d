package app_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// An order whose total exceeds 2^31 minor units is placed and shown
// exactly in Money; the seed's 32-bit total refuses it with
// VALUE_OUT_OF_RANGE instead of a wrapped number. Before totals were
// int64 such an order was refused outright.
func TestTotalBeyondInt32(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := h.inv.AddProduct(2_000_000_000, 10)
	q := h.inv.AddProduct(3, 10)
	auth := h.bearer(t, primitive.NewObjectID().Hex())
	var out struct {
		PlaceOrder struct {
			ID         string `json:"_id"`
			Status     string
			TotalMoney struct{ Amount, Currency string }
			Products   []struct {
				ID             string `json:"_id"`
				UnitPriceMoney struct{ Amount string }
				LineTotal      struct{ Amount string }
			}
		}
	}
	r := h.do(t, auth, `mutation($p: String!, $q: String!){ placeOrder(products: [{_id: $p, quantity: 2}, {_id: $q, quantity: 1}]){
		_id status totalMoney { amount currency } products { _id unitPriceMoney { amount } lineTotal { amount } } } }`,
		map[string]any{"p": p, "q": q}, &out)
	if len(r.Errors) > 0 {
		t.Fatalf("place: %+v", r.Errors)
	}
	o := out.PlaceOrder
	if o.Status != "CONFIRMED" || o.TotalMoney.Amount != "4000000003" || o.TotalMoney.Currency != "USD" {
		t.Fatalf("order = %+v, want CONFIRMED at 4000000003 USD", o)
	}
	if o.Products[0].UnitPriceMoney.Amount != "2000000000" || o.Products[0].LineTotal.Amount != "4000000000" || o.Products[1].LineTotal.Amount != "3" {
		t.Fatalf("lines = %+v", o.Products)
	}

	// The Int field errs clearly rather than wrapping.
	var seed struct{ Order *struct{ Total int } }
	r = h.do(t, auth, `query($id: ID!){ order(id: $id){ total } }`, map[string]any{"id": o.ID}, &seed)
	if code(r) != "VALUE_OUT_OF_RANGE" || r.Errors[0].Extensions["amount"] != "4000000003" || seed.Order != nil {
		t.Fatalf("total beyond Int32: %+v %+v", seed, r.Errors)
	}
	// Staff lists sort it by its exact total, largest first, ahead of a
	// later and smaller order.
	h.placeN(t, auth, q, 1)
	var top struct {
		OrdersConnection struct {
			Nodes []struct {
				ID         string `json:"_id"`
				TotalMoney struct{ Amount string }
			}
		}
	}
	r = h.do(t, map[string]string{"x-api-key": secret}, `{ ordersConnection(first: 1, sortBy: {field: TOTAL}) { nodes { _id totalMoney { amount } } } }`, nil, &top)
	if len(r.Errors) > 0 || len(top.OrdersConnection.Nodes) != 1 || top.OrdersConnection.Nodes[0].ID != o.ID {
		t.Fatalf("largest total first: %+v %+v", top, r.Errors)
	}
}

// SHOP_CURRENCY names the currency of every Money; a malformed code is a
// configuration error.
func TestShopCurrency(t *testing.T) {
	t.Parallel()
	h := startWith(t, testenv.Get(t), map[string]string{"SHOP_CURRENCY": "EUR"})
	p := h.inv.AddProduct(5, 10)
	auth := h.bearer(t, primitive.NewObjectID().Hex())
	var out struct {
		AddToCart struct {
			Total      int
			TotalMoney struct{ Amount, Currency string }
		}
	}
	r := h.do(t, auth, `mutation($p: ID!){ addToCart(productId: $p, quantity: 3){ total totalMoney { amount currency } } }`, map[string]any{"p": p}, &out)
	if len(r.Errors) > 0 || out.AddToCart.Total != 15 || out.AddToCart.TotalMoney.Amount != "15" || out.AddToCart.TotalMoney.Currency != "EUR" {
		t.Fatalf("cart = %+v %+v", out, r.Errors)
	}
}

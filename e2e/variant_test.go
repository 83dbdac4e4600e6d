package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

type variantStock struct {
	Product *struct {
		Variants []struct {
			ID       string
			Quantity int
		}
	}
}

// variantStock reads every variant's stock of a product through the router.
func (s *shop) variantStock(ctx context.Context, productID string) map[string]int {
	s.t.Helper()
	var out variantStock
	s.must(ctx, `query($id: ID!) { product(id: $id) { variants { id quantity } } }`, map[string]any{"id": productID}, nil, &out)
	if out.Product == nil {
		s.t.Fatalf("product %s not found", productID)
	}
	stock := map[string]int{}
	for _, v := range out.Product.Variants {
		stock[v.ID] = v.Quantity
	}
	return stock
}

// TestBuyAVariantJourney buys a variant (SKU) through the router: staff
// make a product and a second variant with its own price and stock, a
// customer orders the variant with orderCreate and pays the variant's
// price, only the variant's stock drops, buying more than is left is a
// typed INSUFFICIENT_STOCK with nothing reserved, and a cart holding the
// variant checks out.
func TestBuyAVariantJourney(t *testing.T) {
	t.Parallel()
	sys := harness.Start(t, bins, harness.Options{})
	s := newShop(t, sys, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var pc struct {
		ProductCreate struct {
			Product *struct {
				ID string `json:"_id"`
			}
			Errors []struct{ Code, Message string }
		}
	}
	s.must(ctx, `mutation($in: ProductCreateInput!) { productCreate(input: $in) { product { _id } errors { code message } } }`,
		map[string]any{"in": map[string]any{"name": "variant tee", "price": 1500, "quantity": 10}}, s.admin, &pc)
	if pc.ProductCreate.Product == nil || len(pc.ProductCreate.Errors) != 0 {
		t.Fatalf("productCreate = %+v", pc.ProductCreate)
	}
	tee := pc.ProductCreate.Product.ID
	var vc struct {
		ProductVariantCreate struct {
			ProductVariant *struct {
				ID    string
				Price struct{ Amount string }
			}
			Errors []struct{ Code, Message string }
		}
	}
	s.must(ctx, `mutation($in: ProductVariantCreateInput!) { productVariantCreate(input: $in) { productVariant { id price { amount } } errors { code message } } }`,
		map[string]any{"in": map[string]any{"productId": tee, "sku": "TEE-XL-" + randHex(4), "name": "tee, XL", "price": 1800, "quantity": 3}}, s.admin, &vc)
	if vc.ProductVariantCreate.ProductVariant == nil || len(vc.ProductVariantCreate.Errors) != 0 || vc.ProductVariantCreate.ProductVariant.Price.Amount != "1800" {
		t.Fatalf("productVariantCreate = %+v", vc.ProductVariantCreate)
	}
	xl := vc.ProductVariantCreate.ProductVariant.ID
	if st := s.variantStock(ctx, tee); st[tee] != 10 || st[xl] != 3 {
		t.Fatalf("stock before = %v, want default 10 and XL 3", st)
	}

	buyer := s.register(ctx, "variant")
	const create = `mutation($in: OrderCreateInput!) { orderCreate(input: $in) { order { _id status totalMoney { amount currency } products { _id variantId quantity } } errors { field code message } } }`
	type createView struct {
		OrderCreate struct {
			Order *struct {
				ID         string `json:"_id"`
				Status     string
				TotalMoney struct{ Amount, Currency string }
				Products   []struct {
					ID        string `json:"_id"`
					VariantID *string
					Quantity  int
				}
			}
			Errors []struct {
				Field   *string
				Code    string
				Message string
			}
		}
	}
	buy := func(q int) map[string]any {
		return map[string]any{"in": map[string]any{"products": []any{map[string]any{"_id": tee, "variantId": xl, "quantity": q}}}}
	}
	var ok createView
	s.must(ctx, create, buy(2), buyer.auth(), &ok)
	o := ok.OrderCreate.Order
	if o == nil || len(ok.OrderCreate.Errors) != 0 || o.Status != "CONFIRMED" || o.TotalMoney.Amount != strconv.Itoa(2*1800) ||
		len(o.Products) != 1 || o.Products[0].VariantID == nil || *o.Products[0].VariantID != xl {
		t.Fatalf("orderCreate for the variant = %+v", ok.OrderCreate)
	}
	if st := s.variantStock(ctx, tee); st[tee] != 10 || st[xl] != 1 {
		t.Fatalf("stock after the order = %v, want default 10 and XL 1", st)
	}

	// Two when one is left: a typed error, no top-level error, nothing reserved.
	var short createView
	s.must(ctx, create, buy(2), buyer.auth(), &short)
	if short.OrderCreate.Order != nil || len(short.OrderCreate.Errors) != 1 || short.OrderCreate.Errors[0].Code != "INSUFFICIENT_STOCK" {
		t.Fatalf("orderCreate beyond the variant's stock = %+v", short.OrderCreate)
	}
	if st := s.variantStock(ctx, tee); st[tee] != 10 || st[xl] != 1 {
		t.Fatalf("stock after a refused order = %v, want default 10 and XL 1", st)
	}

	// The last XL and two of the default variant in one cart: two lines
	// of one product, then one checkout.
	type cartPayload struct {
		Cart *struct {
			TotalMoney struct{ Amount string }
			Lines      []struct {
				ID        string `json:"_id"`
				VariantID *string
				Quantity  int
				Held      int
			}
		}
		Order *struct {
			Status     string
			TotalMoney struct{ Amount string }
			Products   []struct{ VariantID *string }
		}
		Errors []struct{ Field, Code, Message string }
	}
	var added struct{ CartLinesAdd cartPayload }
	s.must(ctx, `mutation($l: [CartLineInput!]!) { cartLinesAdd(lines: $l) { cart { totalMoney { amount } lines { _id variantId quantity held } } errors { field code message } } }`,
		map[string]any{"l": []any{map[string]any{"productId": tee, "variantId": xl, "quantity": 1}, map[string]any{"productId": tee, "quantity": 2}}}, buyer.auth(), &added)
	c := added.CartLinesAdd
	if len(c.Errors) != 0 || c.Cart == nil || len(c.Cart.Lines) != 2 || c.Cart.TotalMoney.Amount != strconv.Itoa(1800+2*1500) {
		t.Fatalf("cartLinesAdd = %+v", c)
	}
	if st := s.variantStock(ctx, tee); st[tee] != 8 || st[xl] != 0 {
		t.Fatalf("stock with the cart held = %v, want default 8 and XL 0", st)
	}
	var out struct{ CartCheckout cartPayload }
	s.must(ctx, `mutation { cartCheckout { order { status totalMoney { amount } products { variantId } } errors { field code message } } }`, nil, buyer.auth(), &out)
	co := out.CartCheckout
	if len(co.Errors) != 0 || co.Order == nil || co.Order.Status != "CONFIRMED" || co.Order.TotalMoney.Amount != strconv.Itoa(1800+2*1500) || len(co.Order.Products) != 2 {
		t.Fatalf("cartCheckout = %+v", co)
	}
	if st := s.variantStock(ctx, tee); st[tee] != 8 || st[xl] != 0 {
		t.Fatalf("stock after checkout = %v, want default 8 and XL 0", st)
	}
}

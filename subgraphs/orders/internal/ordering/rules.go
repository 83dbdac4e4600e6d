package ordering

import (
	"fmt"
	"math"
	"strings"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Input limits. They bound the work one request can cause.
const (
	// MaxLines is the most product lines one order may have.
	MaxLines = 50
	// MaxQuantity is the most units of one product one order may ask for.
	MaxQuantity = 1000
	// MaxTotal is the largest order total in minor units: totals are
	// int64 (Money.amount carries them exactly); the seed's 32-bit
	// Order.total reports an error for an order beyond math.MaxInt32.
	MaxTotal = math.MaxInt64
)

// LineInput is one requested line as the caller sent it; nil entries of
// the GraphQL list arrive as nil pointers.
type LineInput struct {
	ProductID string
	// VariantID names a variant (SKU) of the product; empty orders the
	// default variant.
	VariantID string
	Quantity  int
}

// MaxVariantIDLength bounds a variant id; its shape is products' business.
const MaxVariantIDLength = 128

// ValidateLines checks a requested order and returns its lines with
// canonical (lowercase hex) product ids. A product may appear only once,
// whatever variant each line names (products reserves per order and
// product):
// a repeated product is rejected rather than merged, because two lines for
// one product are more often a client bug than an intent, and merging would
// hide it (and could overflow the per-line limit silently).
func ValidateLines(in []*LineInput) ([]Line, error) {
	if len(in) == 0 {
		return nil, &InputError{Msg: "an order needs at least one product", Code: ReasonRequired, Field: "products"}
	}
	if len(in) > MaxLines {
		return nil, &InputError{Msg: fmt.Sprintf("an order may have at most %d products, got %d", MaxLines, len(in)), Code: ReasonTooManyLines, Field: "products"}
	}
	seen := make(map[string]int, len(in))
	out := make([]Line, 0, len(in))
	for i, l := range in {
		if l == nil {
			return nil, &InputError{Msg: fmt.Sprintf("products[%d] must not be null", i), Code: ReasonRequired, Field: fmt.Sprintf("products.%d", i)}
		}
		oid, err := primitive.ObjectIDFromHex(l.ProductID)
		if err != nil {
			return nil, &InputError{Msg: fmt.Sprintf("products[%d]._id %q is not a valid product id", i, l.ProductID), ProductID: l.ProductID, Code: ReasonInvalid, Field: fmt.Sprintf("products.%d._id", i)}
		}
		id := oid.Hex()
		// Two variants of one product are two lines; one variant twice
		// (the default named or not) is a duplicate.
		key := lineKey(id, l.VariantID)
		if first, dup := seen[key]; dup {
			return nil, &InputError{Msg: fmt.Sprintf("product %s appears twice (products[%d] and products[%d]); list each product variant once with its total quantity", id, first, i), ProductID: id, Code: ReasonDuplicateLine, Field: fmt.Sprintf("products.%d._id", i)}
		}
		seen[key] = i
		if len(l.VariantID) > MaxVariantIDLength {
			return nil, &InputError{Msg: fmt.Sprintf("products[%d].variantId must be at most %d bytes", i, MaxVariantIDLength), ProductID: id, Code: ReasonInvalid, Field: fmt.Sprintf("products.%d.variantId", i)}
		}
		if l.Quantity <= 0 {
			return nil, &InputError{Msg: fmt.Sprintf("products[%d].quantity must be at least 1, got %d", i, l.Quantity), ProductID: id, Code: ReasonInvalidQuantity, Field: fmt.Sprintf("products.%d.quantity", i)}
		}
		if l.Quantity > MaxQuantity {
			return nil, &InputError{Msg: fmt.Sprintf("products[%d].quantity must be at most %d, got %d", i, MaxQuantity, l.Quantity), ProductID: id, Code: ReasonInvalidQuantity, Field: fmt.Sprintf("products.%d.quantity", i)}
		}
		out = append(out, Line{ProductID: id, VariantID: l.VariantID, Quantity: l.Quantity})
	}
	return out, nil
}

// priceLines matches products' reserved lines to the requested ones and
// returns the priced lines and their total. A reservation that does not
// cover exactly the requested lines, or a total beyond MaxTotal, is refused.
func priceLines(want []Line, got []Line) ([]Line, int64, error) {
	if len(got) != len(want) {
		return nil, 0, fmt.Errorf("price lines: reservation has %d lines, order has %d", len(got), len(want))
	}
	byID := make(map[string]Line, len(got))
	for _, l := range got {
		byID[lineKey(l.ProductID, l.VariantID)] = l
	}
	out := make([]Line, len(want))
	var total int64
	for i, w := range want {
		g, ok := byID[lineKey(w.ProductID, w.VariantID)]
		if !ok || g.Quantity != w.Quantity || g.UnitPrice < 0 || (w.VariantID != "" && g.VariantID != "" && g.VariantID != w.VariantID) {
			return nil, 0, fmt.Errorf("price lines: reservation does not match line %s x%d", w.ProductID, w.Quantity)
		}
		if g.UnitPrice > 0 && int64(w.Quantity) > (MaxTotal-total)/g.UnitPrice {
			return nil, 0, &InputError{Msg: fmt.Sprintf("order total exceeds %d", MaxTotal), Code: ReasonTotalTooLarge, Field: "products"}
		}
		total += int64(w.Quantity) * g.UnitPrice
		variant := g.VariantID
		if variant == "" {
			variant = w.VariantID
		}
		out[i] = Line{ProductID: w.ProductID, VariantID: variant, Quantity: w.Quantity, UnitPrice: g.UnitPrice}
	}
	return out, total, nil
}

// lineKey is the variant a line names: its id, or the product's id (the
// default variant's) when it names none.
func lineKey(productID, variantID string) string {
	if variantID == "" || strings.EqualFold(variantID, productID) {
		return strings.ToLower(productID)
	}
	return variantID
}

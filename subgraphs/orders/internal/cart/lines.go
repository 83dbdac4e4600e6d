package cart

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// LineChange is one line of a multi-line cart change.
type LineChange struct {
	ProductID string
	// VariantID names the variant; empty for the default variant.
	VariantID string
	Quantity  int
}

// Change modes of ChangeLines.
const (
	// ModeAdd adds Quantity (1 to 1000) units to a line.
	ModeAdd = "add"
	// ModeSet sets a line to Quantity (0 removes it).
	ModeSet = "set"
	// ModeRemove removes every line of each change's product (every
	// variant); VariantID and Quantity are ignored.
	ModeRemove = "remove"
)

// ChangeLines applies several line changes at once, all or none: every
// line is checked (ids, quantities, limits over the whole result) before
// anything is held; products is then asked to hold all lines in one call,
// and when it cannot hold some, the lines it did change are set back to
// what they held before and the cart stays as it was (a *StockError names
// the lines). The failing input's index is InputError.Index.
func (s *Service) ChangeLines(ctx context.Context, c ordering.Caller, mode string, changes []LineChange) (Cart, error) {
	if c.UserID == "" {
		return Cart{}, ErrUnauthenticated
	}
	if len(changes) == 0 {
		return Cart{}, &InputError{Msg: "give at least one line", Index: -1, Code: ordering.ReasonRequired}
	}
	if len(changes) > ordering.MaxLines {
		return Cart{}, &InputError{Msg: fmt.Sprintf("a change may name at most %d lines, got %d", ordering.MaxLines, len(changes)), Index: -1, Code: ordering.ReasonTooManyLines}
	}
	ids := make([]string, len(changes))
	variants := make([]string, len(changes))
	seen := map[string]int{}
	for i, ch := range changes {
		oid, err := primitive.ObjectIDFromHex(ch.ProductID)
		if err != nil {
			return Cart{}, &InputError{Msg: fmt.Sprintf("%q is not a valid product id", ch.ProductID), ProductID: ch.ProductID, Index: i, Field: "productId", Code: ordering.ReasonInvalid}
		}
		ids[i] = oid.Hex()
		variants[i], err = checkVariant(ids[i], ch.VariantID)
		if err != nil {
			return Cart{}, &InputError{Msg: err.Error(), ProductID: ids[i], VariantID: ch.VariantID, Index: i, Field: "variantId", Code: ordering.ReasonInvalid}
		}
		key := StockKey(ids[i], variants[i])
		if first, dup := seen[key]; dup {
			return Cart{}, &InputError{Msg: fmt.Sprintf("product %s (variant %s) appears twice (lines %d and %d)", ids[i], key, first, i), ProductID: ids[i], VariantID: variants[i], Index: i, Field: "productId", Code: ordering.ReasonDuplicateLine}
		}
		seen[key] = i
		lo := 1
		if mode == ModeSet || mode == ModeRemove {
			lo = 0
		}
		if ch.Quantity < lo || ch.Quantity > ordering.MaxQuantity {
			return Cart{}, &InputError{Msg: fmt.Sprintf("quantity must be between %d and %d, got %d", lo, ordering.MaxQuantity, ch.Quantity), ProductID: ids[i], Index: i, Field: "quantity", Code: ordering.ReasonInvalidQuantity}
		}
	}
	defer s.lock(c.UserID)()
	sess, err := s.session(ctx, c.UserID)
	if err != nil {
		return Cart{}, err
	}
	lines, err := s.store.Lines(ctx, sess.ID)
	if err != nil {
		return Cart{}, fmt.Errorf("change cart: %w", err)
	}
	if mode == ModeRemove {
		ids, variants = variantsOf(lines, ids)
		changes = make([]LineChange, len(ids))
	}
	// The cart as it would be, checked line by line against the limits.
	next := append([]Line(nil), lines...)
	before := make([]Line, len(changes))
	after := make([]Line, len(changes))
	for i, ch := range changes {
		key := StockKey(ids[i], variants[i])
		cur, idx := 0, -1
		for j, l := range next {
			if l.Key() == key {
				cur, idx = l.Quantity, j
			}
		}
		want := ch.Quantity
		if mode == ModeAdd {
			want = cur + ch.Quantity
			if want > ordering.MaxQuantity {
				return Cart{}, &InputError{Msg: fmt.Sprintf("a cart line may have at most %d units, this one would have %d", ordering.MaxQuantity, want), ProductID: ids[i], Index: i, Field: "quantity", Code: ordering.ReasonInvalidQuantity}
			}
		}
		if err := s.withinLimits(next, ids[i], cur, want); err != nil {
			return Cart{}, err
		}
		switch {
		case idx >= 0 && want == 0:
			next = append(next[:idx], next[idx+1:]...)
		case idx >= 0:
			next[idx].Quantity = want
		case want > 0:
			if len(next) >= ordering.MaxLines {
				return Cart{}, &InputError{Msg: fmt.Sprintf("a cart may have at most %d products", ordering.MaxLines), ProductID: ids[i], Index: i, Field: "productId", Code: ordering.ReasonTooManyLines}
			}
			next = append(next, Line{ProductID: ids[i], VariantID: variants[i], Quantity: want})
		}
		before[i] = Line{ProductID: ids[i], VariantID: variants[i], Quantity: cur}
		after[i] = Line{ProductID: ids[i], VariantID: variants[i], Quantity: want}
	}
	ctx = context.WithoutCancel(ctx)
	held, err := s.holds.SetHold(ctx, sess.ID, after)
	if err != nil {
		return Cart{}, fmt.Errorf("change cart: %w", err)
	}
	if len(held.Problems) > 0 {
		s.undoHold(ctx, sess.ID, before, held.Problems)
		return Cart{}, &StockError{Lines: held.Problems}
	}
	for _, l := range after {
		if err := s.store.SetLine(ctx, sess.ID, l, s.now()); err != nil {
			// The hold already changed: the next change or the checkout
			// sets it to the cart's lines again.
			return Cart{}, fmt.Errorf("change cart: %w", err)
		}
	}
	return view(sess, next, held), nil
}

// undoHold sets the lines products did change back to what they held
// before: lowering a hold always succeeds. Products names a problem by
// product only, so every variant of a refused product is left as it is
// (a line that cannot be held keeps what it held before). A failure is logged; the hold
// then keeps the extra units until it expires or the next change sets it.
func (s *Service) undoHold(ctx context.Context, holdID string, before []Line, problems []LineProblem) {
	failed := map[string]bool{}
	for _, p := range problems {
		failed[p.ProductID] = true
	}
	var back []Line
	for _, l := range before {
		if !failed[l.ProductID] {
			back = append(back, l)
		}
	}
	if len(back) == 0 {
		return
	}
	if _, err := s.holds.SetHold(ctx, holdID, back); err != nil {
		s.log.Warn("cart hold not set back after a refused change; the units wait for the hold to expire", "hold", holdID, "err", err)
	}
}

// checkVariant returns the variant a line names (empty for the default
// variant) or why the id cannot be one.
func checkVariant(productID, variantID string) (string, error) {
	if len(variantID) > ordering.MaxVariantIDLength {
		return "", fmt.Errorf("variantId must be at most %d bytes", ordering.MaxVariantIDLength)
	}
	if variantID != "" && strings.TrimSpace(variantID) == "" {
		return "", fmt.Errorf("variantId must not be blank")
	}
	return normVariant(productID, variantID), nil
}

// variantsOf lists, for a removal of products, every variant line the
// cart has of them (the default variant's line when it has none, which
// removes nothing), as parallel product and variant ids.
func variantsOf(lines []Line, products []string) (ids, variants []string) {
	for _, p := range products {
		n := len(ids)
		for _, l := range lines {
			if l.ProductID == p {
				ids, variants = append(ids, p), append(variants, l.VariantID)
			}
		}
		if len(ids) == n {
			ids, variants = append(ids, p), append(variants, "")
		}
	}
	return ids, variants
}

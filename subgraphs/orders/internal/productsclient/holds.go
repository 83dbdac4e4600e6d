package productsclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
)

// SetHold sets the units hold holdID keeps of each line's variant (a
// target, so retrying is safe) and extends the hold.
func (c *Client) SetHold(ctx context.Context, holdID string, lines []cart.Line) (cart.Held, error) {
	req := inventoryapi.SetHoldRequest{Lines: make([]inventoryapi.Line, len(lines))}
	for i, l := range lines {
		req.Lines[i] = inventoryapi.Line{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return cart.Held{}, fmt.Errorf("set hold: %w", err)
	}
	return c.holdCall(ctx, "set hold", http.MethodPut, holdPath(holdID), body)
}

// GetHold returns what hold holdID keeps.
func (c *Client) GetHold(ctx context.Context, holdID string) (cart.Held, error) {
	return c.holdCall(ctx, "get hold", http.MethodGet, holdPath(holdID), nil)
}

// ReleaseHold gives back every unit hold holdID keeps.
func (c *Client) ReleaseHold(ctx context.Context, holdID string) error {
	_, err := c.holdCall(ctx, "release hold", http.MethodPost, holdPath(holdID)+"/release", nil)
	return err
}

func holdPath(holdID string) string { return inventoryapi.PathHolds + "/" + url.PathEscape(holdID) }

func (c *Client) holdCall(ctx context.Context, op, method, path string, body []byte) (cart.Held, error) {
	status, resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return cart.Held{}, fmt.Errorf("%s: %w", op, err)
	}
	if status == http.StatusBadRequest {
		var p inventoryapi.Problem
		if json.Unmarshal(resp, &p) == nil && p.Code == inventoryapi.CodeBadInput {
			return cart.Held{}, &cart.InputError{Msg: "products refused the cart: " + p.Message}
		}
	}
	if status != http.StatusOK {
		return cart.Held{}, unexpected(op, status, resp)
	}
	var h inventoryapi.Hold
	if err := json.Unmarshal(resp, &h); err != nil {
		return cart.Held{}, fmt.Errorf("%s: decode hold: %w", op, err)
	}
	out := cart.Held{Lines: make(map[string]cart.HeldLine, len(h.Lines))}
	if h.ExpiresAt != "" {
		at, err := time.Parse(time.RFC3339Nano, h.ExpiresAt)
		if err != nil {
			return cart.Held{}, fmt.Errorf("%s: expiresAt: %w", op, err)
		}
		out.ExpiresAt = &at
	}
	for _, l := range h.Lines {
		// Keyed by variant: products names the default variant by the
		// product's id, or not at all.
		out.Lines[cart.StockKey(l.ProductID, l.VariantID)] = cart.HeldLine{Quantity: l.Quantity, UnitPrice: int64(l.UnitPrice)}
	}
	for _, p := range h.Problems {
		out.Problems = append(out.Problems, cart.LineProblem{Code: p.Code, ProductID: p.ProductID, Requested: p.Requested, Available: p.Available})
	}
	return out, nil
}

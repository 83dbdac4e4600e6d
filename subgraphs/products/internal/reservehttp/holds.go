package reservehttp

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

func (h *Handler) setHold(w http.ResponseWriter, r *http.Request) {
	var req inventoryapi.SetHoldRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		writeProblem(w, http.StatusBadRequest, inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "malformed JSON body: " + err.Error()})
		return
	}
	lines, owners, err := h.stockLines(r.Context(), req.Lines)
	if err != nil {
		h.fail(w, "set hold", err)
		return
	}
	hold, err := h.svc.SetHold(r.Context(), r.PathValue("holdId"), lines)
	if err != nil {
		h.fail(w, "set hold", err)
		return
	}
	writeJSON(w, http.StatusOK, h.toHold(r.Context(), hold, owners))
}

func (h *Handler) getHold(w http.ResponseWriter, r *http.Request) {
	hold, err := h.svc.GetHold(r.Context(), r.PathValue("holdId"))
	if err != nil {
		h.fail(w, "get hold", err)
		return
	}
	writeJSON(w, http.StatusOK, h.toHold(r.Context(), hold, map[string]string{}))
}

func (h *Handler) releaseHold(w http.ResponseWriter, r *http.Request) {
	hold, err := h.svc.ReleaseHold(r.Context(), r.PathValue("holdId"))
	if err != nil {
		h.fail(w, "release hold", err)
		return
	}
	writeJSON(w, http.StatusOK, h.toHold(r.Context(), hold, map[string]string{}))
}

// toHold answers a hold, its lines and problems named by product and
// variant.
func (h *Handler) toHold(ctx context.Context, hold inventory.Hold, owners map[string]string) inventoryapi.Hold {
	out := inventoryapi.Hold{HoldID: hold.ID, Lines: make([]inventoryapi.HeldLine, len(hold.Lines))}
	if hold.ExpiresAt != nil {
		out.ExpiresAt = hold.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	for i, l := range hold.Lines {
		out.Lines[i] = inventoryapi.HeldLine{ProductID: h.owner(ctx, owners, l.ProductID), VariantID: l.ProductID, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
	}
	for _, p := range hold.Problems {
		ip := inventoryapi.Problem{Code: p.Code, Message: p.Message, ProductID: h.owner(ctx, owners, p.ProductID), Requested: p.Requested}
		if p.Code == inventory.ProblemInsufficientStock {
			available := p.Available
			ip.Available = &available
		}
		out.Problems = append(out.Problems, ip)
	}
	return out
}

package reservehttp

import (
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
	lines := make([]inventory.Line, len(req.Lines))
	for i, l := range req.Lines {
		lines[i] = inventory.Line{ProductID: l.ProductID, Quantity: l.Quantity}
	}
	hold, err := h.svc.SetHold(r.Context(), r.PathValue("holdId"), lines)
	if err != nil {
		h.fail(w, "set hold", err)
		return
	}
	writeJSON(w, http.StatusOK, toHold(hold))
}

func (h *Handler) getHold(w http.ResponseWriter, r *http.Request) {
	hold, err := h.svc.GetHold(r.Context(), r.PathValue("holdId"))
	if err != nil {
		h.fail(w, "get hold", err)
		return
	}
	writeJSON(w, http.StatusOK, toHold(hold))
}

func (h *Handler) releaseHold(w http.ResponseWriter, r *http.Request) {
	hold, err := h.svc.ReleaseHold(r.Context(), r.PathValue("holdId"))
	if err != nil {
		h.fail(w, "release hold", err)
		return
	}
	writeJSON(w, http.StatusOK, toHold(hold))
}

func toHold(h inventory.Hold) inventoryapi.Hold {
	out := inventoryapi.Hold{HoldID: h.ID, Lines: make([]inventoryapi.HeldLine, len(h.Lines))}
	if h.ExpiresAt != nil {
		out.ExpiresAt = h.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	for i, l := range h.Lines {
		out.Lines[i] = inventoryapi.HeldLine(l)
	}
	for _, p := range h.Problems {
		ip := inventoryapi.Problem{Code: p.Code, Message: p.Message, ProductID: p.ProductID, Requested: p.Requested}
		if p.Code == inventory.ProblemInsufficientStock {
			available := p.Available
			ip.Available = &available
		}
		out.Problems = append(out.Problems, ip)
	}
	return out
}

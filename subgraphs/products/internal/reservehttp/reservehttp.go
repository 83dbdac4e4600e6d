// Package reservehttp serves the internal reservation API of
// platform/inventoryapi for the orders service. It is mounted on the
// products listener under /internal/, which the router never proxies, and
// every call must carry the service token.
package reservehttp

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// maxBody bounds a reservation request (100 lines fit easily).
const maxBody = 64 << 10

// codeInternal is the problem code of unexpected failures.
const codeInternal = "INTERNAL_SERVER_ERROR"

// Units maps order lines to the inventory's stock ids and back: each
// variant has its own stock, under its own id (the product's id for its
// default variant). catalog.StockUnits implements it.
type Units interface {
	// StockOf returns the stock id of a line (variantID may be empty).
	StockOf(ctx context.Context, productID, variantID string) (string, error)
	// OwnerOf returns the product of a stock id.
	OwnerOf(ctx context.Context, stockID string) (string, error)
}

// Handler serves the reservation endpoints.
type Handler struct {
	svc   *inventory.Service
	units Units
	token string
	log   *slog.Logger
	mux   *http.ServeMux
}

// New returns the handler; token is the shared service credential.
func New(svc *inventory.Service, units Units, token string, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, units: units, token: token, log: log, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST "+inventoryapi.PathReservations, h.reserve)
	h.mux.HandleFunc("POST "+inventoryapi.PathReservations+"/{orderId}/release", h.release)
	h.mux.HandleFunc("GET "+inventoryapi.PathReservations+"/{orderId}", h.get)
	h.mux.HandleFunc("PUT "+inventoryapi.PathHolds+"/{holdId}", h.setHold)
	h.mux.HandleFunc("GET "+inventoryapi.PathHolds+"/{holdId}", h.getHold)
	h.mux.HandleFunc("POST "+inventoryapi.PathHolds+"/{holdId}/release", h.releaseHold)
	return h
}

// ServeHTTP checks the service token in constant time, then routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got := r.Header.Get(inventoryapi.HeaderServiceToken)
	if h.token == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) != 1 {
		writeProblem(w, http.StatusUnauthorized, inventoryapi.Problem{Code: inventoryapi.CodeUnauthorized, Message: "missing or wrong " + inventoryapi.HeaderServiceToken})
		return
	}
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) reserve(w http.ResponseWriter, r *http.Request) {
	var req inventoryapi.ReserveRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		writeProblem(w, http.StatusBadRequest, inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "malformed JSON body: " + err.Error()})
		return
	}
	lines, owners, err := h.stockLines(r.Context(), req.Lines)
	if err != nil {
		h.fail(w, "reserve", err)
		return
	}
	res, err := h.svc.ReserveHeld(r.Context(), req.OrderID, req.HoldID, lines)
	if err != nil {
		h.fail(w, "reserve", err)
		return
	}
	h.writeReservation(w, r, res, owners, true)
}

func (h *Handler) release(w http.ResponseWriter, r *http.Request) {
	res, err := h.svc.Release(r.Context(), r.PathValue("orderId"))
	if err != nil {
		h.fail(w, "release", err)
		return
	}
	h.writeReservation(w, r, res, nil, false)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	res, err := h.svc.GetReservation(r.Context(), r.PathValue("orderId"))
	if err != nil {
		h.fail(w, "get reservation", err)
		return
	}
	h.writeReservation(w, r, res, nil, false)
}

// stockLines maps request lines to stock lines, and remembers each stock
// id's product for the answer.
func (h *Handler) stockLines(ctx context.Context, in []inventoryapi.Line) ([]inventory.Line, map[string]string, error) {
	lines := make([]inventory.Line, len(in))
	owners := make(map[string]string, len(in))
	for i, l := range in {
		id, err := h.units.StockOf(ctx, l.ProductID, l.VariantID)
		if err != nil {
			return nil, nil, err
		}
		lines[i] = inventory.Line{ProductID: id, Quantity: l.Quantity}
		owners[id] = strings.ToLower(l.ProductID)
	}
	return lines, owners, nil
}

// owner returns the product of a stock id, from the request's lines when
// known, else from the catalog (a stock id that cannot be looked up now
// is shown as is).
func (h *Handler) owner(ctx context.Context, owners map[string]string, stockID string) string {
	if p, ok := owners[stockID]; ok {
		return p
	}
	p, err := h.units.OwnerOf(ctx, stockID)
	if err != nil {
		h.log.Warn("cannot tell a stock's product", "stock", stockID, "err", err)
		p = stockID
	}
	if owners != nil {
		owners[stockID] = p
	}
	return p
}

// rejection is the body of a rejected reservation: the Reservation (status
// REJECTED with its problem) and the Problem's fields at the top level, so
// a client may decode it as either.
type rejection struct {
	inventoryapi.Reservation
	inventoryapi.Problem
}

// writeReservation answers with a reservation. A reserve call that was
// refused (refusal set, status REJECTED) answers 409 or 404 with the
// problem; every other answer is 200: a release is idempotent and always
// ends RELEASED (a rejected or unknown order too, with no problem, since
// nothing is refused), and a lookup reports the decision as it stands,
// with the problem of a rejection inside the reservation.
func (h *Handler) writeReservation(w http.ResponseWriter, r *http.Request, res inventory.Reservation, owners map[string]string, refusal bool) {
	if owners == nil {
		owners = map[string]string{}
	}
	out := inventoryapi.Reservation{OrderID: res.OrderID, Status: res.EffectiveStatus()}
	for _, l := range res.Lines {
		out.Lines = append(out.Lines, inventoryapi.ReservedLine{ProductID: h.owner(r.Context(), owners, l.ProductID), VariantID: l.ProductID, Quantity: l.Quantity, UnitPrice: l.UnitPrice})
	}
	if res.Problem == nil || out.Status != inventoryapi.StatusRejected {
		writeJSON(w, http.StatusOK, out)
		return
	}
	available := res.Problem.Available
	p := inventoryapi.Problem{Code: res.Problem.Code, Message: res.Problem.Message, ProductID: h.owner(r.Context(), owners, res.Problem.ProductID), Requested: res.Problem.Requested}
	status := http.StatusNotFound
	if res.Problem.Code == inventory.ProblemInsufficientStock {
		status = http.StatusConflict
		p.Available = &available
	}
	out.Problem = &p
	if !refusal {
		writeJSON(w, http.StatusOK, out)
		return
	}
	writeJSON(w, status, rejection{Reservation: out, Problem: p})
}

func (h *Handler) fail(w http.ResponseWriter, op string, err error) {
	var inv *input.Error
	switch {
	case errors.As(err, &inv):
		writeProblem(w, http.StatusBadRequest, inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: inv.Error()})
	case errors.Is(err, inventory.ErrNotFound):
		writeProblem(w, http.StatusNotFound, inventoryapi.Problem{Code: inventoryapi.CodeNotFound, Message: "no reservation for this order"})
	case errors.Is(err, inventory.ErrContention):
		writeProblem(w, http.StatusServiceUnavailable, inventoryapi.Problem{Code: codeInternal, Message: "inventory busy; retry"})
	default:
		h.log.Error("internal reservation call failed", "op", op, "err", err)
		writeProblem(w, http.StatusServiceUnavailable, inventoryapi.Problem{Code: codeInternal, Message: op + " failed; retry (the call is idempotent)"})
	}
}

func writeProblem(w http.ResponseWriter, status int, p inventoryapi.Problem) { writeJSON(w, status, p) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away; nothing to do
}

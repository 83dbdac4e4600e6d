package inventorydouble

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
)

// hold is a cart's stock hold: units per variant (stockKey) until
// expiresAt.
type hold struct {
	expiresAt time.Time
	units     map[string]int
}

// SetHoldTTL sets how long holds last after their last change.
func (s *Server) SetHoldTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holdTTL = d
}

// CartHeld returns the units of a product's default variant, or of a
// variant by its id, that carts hold.
func (s *Server) CartHeld(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	n := 0
	for _, h := range s.holds {
		n += h.units[id]
	}
	return n
}

// expireLocked gives back the units of expired holds. The double does it
// on the next request; the real service sweeps in the background.
func (s *Server) expireLocked() {
	now := time.Now()
	for _, h := range s.holds {
		if now.Before(h.expiresAt) {
			continue
		}
		for id, n := range h.units {
			s.products[id].stock += n
			h.units[id] = 0
		}
	}
}

func (s *Server) setHold(w http.ResponseWriter, r *http.Request) {
	var req inventoryapi.SetHoldRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || len(req.Lines) == 0 {
		writeJSON(w, http.StatusBadRequest, inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "malformed body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	id := r.PathValue("holdId")
	h := s.holds[id]
	if h == nil {
		h = &hold{units: map[string]int{}}
		s.holds[id] = h
	}
	h.expiresAt = time.Now().Add(s.holdTTL)
	var problems []inventoryapi.Problem
	for _, l := range req.Lines {
		key := stockKey(l.ProductID, l.VariantID)
		p, ok := s.products[key]
		ok = ok && ((l.VariantID == "" && p.parent == "") || (l.VariantID != "" && p.parent == l.ProductID))
		if l.Quantity < 0 {
			writeJSON(w, http.StatusBadRequest, inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "negative quantity", ProductID: l.ProductID})
			return
		}
		if !ok {
			problems = append(problems, inventoryapi.Problem{Code: inventoryapi.CodeNotFound, Message: "unknown product", ProductID: l.ProductID, Requested: l.Quantity})
			continue
		}
		cur := h.units[key]
		if l.Quantity-cur > p.stock {
			avail := p.stock + cur
			problems = append(problems, inventoryapi.Problem{Code: inventoryapi.CodeInsufficientStock, Message: "insufficient stock", ProductID: l.ProductID, Requested: l.Quantity, Available: &avail})
			continue
		}
		p.stock -= l.Quantity - cur
		h.units[key] = l.Quantity
	}
	out := s.holdLocked(id)
	out.Problems = problems
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getHold(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	writeJSON(w, http.StatusOK, s.holdLocked(r.PathValue("holdId")))
}

func (s *Server) releaseHold(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	id := r.PathValue("holdId")
	if h := s.holds[id]; h != nil {
		for pid, n := range h.units {
			s.products[pid].stock += n
			h.units[pid] = 0
		}
	}
	writeJSON(w, http.StatusOK, s.holdLocked(id))
}

// holdLocked renders a hold as the contract describes it.
func (s *Server) holdLocked(id string) inventoryapi.Hold {
	out := inventoryapi.Hold{HoldID: id, Lines: []inventoryapi.HeldLine{}}
	h := s.holds[id]
	if h == nil {
		return out
	}
	out.ExpiresAt = h.expiresAt.UTC().Format(time.RFC3339Nano)
	for key, n := range h.units {
		p := s.products[key]
		l := inventoryapi.HeldLine{ProductID: key, Quantity: n, UnitPrice: p.price}
		if p.parent != "" {
			l.ProductID, l.VariantID = p.parent, key
		}
		out.Lines = append(out.Lines, l)
	}
	sort.Slice(out.Lines, func(i, j int) bool {
		return stockKey(out.Lines[i].ProductID, out.Lines[i].VariantID) < stockKey(out.Lines[j].ProductID, out.Lines[j].VariantID)
	})
	return out
}

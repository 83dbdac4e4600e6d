// Package inventorydouble is an in-memory reference implementation of the
// products service's internal reservation API (platform/inventoryapi), for
// the orders service's tests: orders may not import the products module,
// and mocking our own client would prove nothing. It keeps the contract
// honestly (service token, validation, stock limits, all-or-nothing,
// idempotency by order id) and has its own tests; the real products
// service is exercised against orders in devstack's end-to-end tests.
package inventorydouble

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
)

// Server is the reservation API over an in-memory catalogue.
type Server struct {
	token string
	mux   *http.ServeMux

	mu           sync.Mutex
	products     map[string]*product
	reservations map[string]answer
	releaseCalls map[string]int
	holds        map[string]*hold
	holdTTL      time.Duration
}

// product is a product's default variant, or (parent set) another
// variant of the product parent, kept under the variant's id.
type product struct {
	price, stock, initial int
	parent                string
}

// stockKey is where a line's units are counted: the named variant, or
// the product itself for its default variant.
func stockKey(productID, variantID string) string {
	if variantID != "" {
		return variantID
	}
	return productID
}

// answer is the first answer given for an order, replayed on retries.
type answer struct {
	status int
	res    inventoryapi.Reservation
}

// New returns a server that accepts only requests carrying token.
func New(token string) *Server {
	s := &Server{token: token, products: map[string]*product{}, reservations: map[string]answer{}, releaseCalls: map[string]int{},
		holds: map[string]*hold{}, holdTTL: 15 * time.Minute}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST "+inventoryapi.PathReservations, s.reserve)
	s.mux.HandleFunc("POST "+inventoryapi.PathReservations+"/{orderId}/release", s.release)
	s.mux.HandleFunc("GET "+inventoryapi.PathReservations+"/{orderId}", s.get)
	s.mux.HandleFunc("PUT "+inventoryapi.PathHolds+"/{holdId}", s.setHold)
	s.mux.HandleFunc("GET "+inventoryapi.PathHolds+"/{holdId}", s.getHold)
	s.mux.HandleFunc("POST "+inventoryapi.PathHolds+"/{holdId}/release", s.releaseHold)
	return s
}

// AddProduct creates a product with a price and stock and returns its id.
func (s *Server) AddProduct(price, stock int) string {
	id := primitive.NewObjectID().Hex()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products[id] = &product{price: price, stock: stock, initial: stock}
	return id
}

// AddVariant adds a variant (SKU) with its own price and stock to a
// product and returns the variant's id. Lines that name no variant use
// the product's default variant, the stock AddProduct gave it.
func (s *Server) AddVariant(productID string, price, stock int) string {
	id := "var-" + primitive.NewObjectID().Hex()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products[id] = &product{price: price, stock: stock, initial: stock, parent: productID}
	return id
}

// Stock returns the available quantity of a product's default variant,
// or of a variant by its id.
func (s *Server) Stock(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.products[id]; ok {
		return p.stock
	}
	return 0
}

// Held returns the units of a product held by RESERVED reservations.
func (s *Server) Held(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.reservations {
		if a.res.Status != inventoryapi.StatusReserved {
			continue
		}
		for _, l := range a.res.Lines {
			if stockKey(l.ProductID, l.VariantID) == id {
				n += l.Quantity
			}
		}
	}
	return n
}

// Status returns the status of an order's reservation ("" if none).
func (s *Server) Status(orderID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reservations[orderID].res.Status
}

// ReleaseCalls returns how many release requests arrived for an order.
func (s *Server) ReleaseCalls(orderID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.releaseCalls[orderID]
}

// CheckInvariant verifies, for every product, initial stock == available +
// units held by live reservations + units held by carts.
func (s *Server) CheckInvariant() error {
	s.mu.Lock()
	held := map[string]int{}
	for _, a := range s.reservations {
		if a.res.Status == inventoryapi.StatusReserved {
			for _, l := range a.res.Lines {
				held[stockKey(l.ProductID, l.VariantID)] += l.Quantity
			}
		}
	}
	defer s.mu.Unlock()
	carts := map[string]int{}
	for _, h := range s.holds {
		for id, n := range h.units {
			carts[id] += n
		}
	}
	for id, p := range s.products {
		if p.initial != p.stock+held[id]+carts[id] || p.stock < 0 {
			return fmt.Errorf("product %s: initial %d != available %d + in orders %d + in carts %d", id, p.initial, p.stock, held[id], carts[id])
		}
	}
	return nil
}

// ServeHTTP checks the service token and routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(inventoryapi.HeaderServiceToken) != s.token || s.token == "" {
		writeJSON(w, http.StatusUnauthorized, inventoryapi.Problem{Code: inventoryapi.CodeUnauthorized, Message: "missing or wrong service token"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) reserve(w http.ResponseWriter, r *http.Request) {
	var req inventoryapi.ReserveRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "malformed body"})
		return
	}
	if p := validate(req); p != nil {
		writeJSON(w, http.StatusBadRequest, p)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.reservations[req.OrderID]; ok {
		s.replay(w, a)
		return
	}
	for _, l := range req.Lines {
		p, ok := s.products[stockKey(l.ProductID, l.VariantID)]
		if !ok || (l.VariantID != "" && p.parent != l.ProductID) || (l.VariantID == "" && p.parent != "") {
			writeJSON(w, http.StatusNotFound, inventoryapi.Problem{Code: inventoryapi.CodeNotFound, Message: "unknown product or variant", ProductID: l.ProductID})
			return
		}
	}
	s.expireLocked()
	h := s.holds[req.HoldID]
	fromHold := func(l inventoryapi.Line) int {
		if h == nil {
			return 0
		}
		return min(h.units[stockKey(l.ProductID, l.VariantID)], l.Quantity)
	}
	for _, l := range req.Lines {
		if p := s.products[stockKey(l.ProductID, l.VariantID)]; p.stock < l.Quantity-fromHold(l) {
			avail := p.stock + fromHold(l)
			prob := &inventoryapi.Problem{Code: inventoryapi.CodeInsufficientStock, Message: "insufficient stock", ProductID: l.ProductID, Requested: l.Quantity, Available: &avail}
			a := answer{status: http.StatusConflict, res: inventoryapi.Reservation{OrderID: req.OrderID, Status: inventoryapi.StatusRejected, Problem: prob}}
			s.reservations[req.OrderID] = a
			s.replay(w, a)
			return
		}
	}
	res := inventoryapi.Reservation{OrderID: req.OrderID, Status: inventoryapi.StatusReserved}
	for _, l := range req.Lines {
		p := s.products[stockKey(l.ProductID, l.VariantID)]
		conv := fromHold(l)
		if conv > 0 {
			h.units[stockKey(l.ProductID, l.VariantID)] -= conv
		}
		p.stock -= l.Quantity - conv
		res.Lines = append(res.Lines, inventoryapi.ReservedLine{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity, UnitPrice: p.price})
	}
	a := answer{status: http.StatusOK, res: res}
	s.reservations[req.OrderID] = a
	s.replay(w, a)
}

// replay writes the first answer: the reservation, or its problem on 409.
func (s *Server) replay(w http.ResponseWriter, a answer) {
	if a.status == http.StatusConflict {
		writeJSON(w, a.status, a.res.Problem)
		return
	}
	writeJSON(w, a.status, a.res)
}

func validate(req inventoryapi.ReserveRequest) *inventoryapi.Problem {
	if req.OrderID == "" || len(req.Lines) == 0 {
		return &inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "orderId and lines are required"}
	}
	// Lines are counted by variant, as products counts them by stock:
	// two variants of one product are two lines.
	seen := map[string]bool{}
	for _, l := range req.Lines {
		key := stockKey(l.ProductID, l.VariantID)
		if l.Quantity <= 0 || l.ProductID == "" || seen[key] {
			return &inventoryapi.Problem{Code: inventoryapi.CodeBadInput, Message: "each line needs a distinct variant and a positive quantity", ProductID: l.ProductID}
		}
		seen[key] = true
	}
	return nil
}

func (s *Server) release(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("orderId")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseCalls[id]++
	a, ok := s.reservations[id]
	if !ok {
		// Like products, a release that comes first is recorded as the
		// order's decision, so a reserve still in flight (or retried) for
		// the order gets RELEASED back and reserves nothing.
		a = answer{status: http.StatusOK, res: inventoryapi.Reservation{OrderID: id, Status: inventoryapi.StatusReleased}}
		s.reservations[id] = a
		writeJSON(w, http.StatusOK, a.res)
		return
	}
	if a.res.Status == inventoryapi.StatusReserved {
		for _, l := range a.res.Lines {
			s.products[stockKey(l.ProductID, l.VariantID)].stock += l.Quantity
		}
	}
	a.res.Status = inventoryapi.StatusReleased
	s.reservations[id] = a
	writeJSON(w, http.StatusOK, a.res)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a, ok := s.reservations[r.PathValue("orderId")]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, inventoryapi.Problem{Code: inventoryapi.CodeNotFound, Message: "no reservation for order"})
		return
	}
	writeJSON(w, http.StatusOK, a.res)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

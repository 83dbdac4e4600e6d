// Package inventoryapi is the internal REST contract between the orders
// service (client) and the products service (server). It is not exposed
// through the router; every call carries the service credential in
// HeaderServiceToken.
//
// Endpoints (JSON bodies):
//
//	POST /internal/reservations                  ReserveRequest  -> 200 Reservation | 409 Problem(INSUFFICIENT_STOCK) | 400/404 Problem
//	POST /internal/reservations/{orderId}/release (no body)       -> 200 Reservation (Status RELEASED); idempotent
//	GET  /internal/reservations/{orderId}                          -> 200 Reservation | 404 Problem
//
// The stock hold endpoints (carts) are described in holds.go.
//
// A reservation is idempotent by order id: repeating a reserve returns the
// first answer and never reserves twice; all lines are reserved or none.
package inventoryapi

// HeaderServiceToken carries the shared service credential.
const HeaderServiceToken = "X-Service-Token"

// Paths.
const (
	PathReservations = "/internal/reservations"
)

// Reservation statuses.
const (
	StatusReserved = "RESERVED"
	StatusRejected = "REJECTED"
	StatusReleased = "RELEASED"
)

// Problem codes, mirrored as GraphQL extensions.code by the orders service.
const (
	CodeInsufficientStock = "INSUFFICIENT_STOCK"
	CodeNotFound          = "NOT_FOUND"
	CodeBadInput          = "BAD_USER_INPUT"
	CodeUnauthorized      = "UNAUTHENTICATED"
)

// Line is one product line to reserve.
type Line struct {
	ProductID string `json:"productId"`
	// VariantID names one variant (SKU) of the product; empty means the
	// product's default variant, which every product has.
	VariantID string `json:"variantId,omitempty"`
	Quantity  int    `json:"quantity"`
}

// ReserveRequest reserves every line for one order, or none.
type ReserveRequest struct {
	OrderID string `json:"orderId"`
	Lines   []Line `json:"lines"`
	// HoldID, when set, converts the units that hold keeps for each line
	// into the reservation (a checkout); units a line still lacks are
	// reserved from free stock. Optional: plain orders leave it empty.
	HoldID string `json:"holdId,omitempty"`
}

// ReservedLine is a reserved line with its unit price at reservation time.
type ReservedLine struct {
	ProductID string `json:"productId"`
	// VariantID is the variant reserved (the default variant's id when the
	// request named none).
	VariantID string `json:"variantId,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice int    `json:"unitPrice"`
}

// Reservation is the outcome for one order.
type Reservation struct {
	OrderID string         `json:"orderId"`
	Status  string         `json:"status"`
	Lines   []ReservedLine `json:"lines,omitempty"`
	// Problem is set when Status is REJECTED: the first line that could not be reserved.
	Problem *Problem `json:"problem,omitempty"`
}

// Problem explains a refused call.
type Problem struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	ProductID string `json:"productId,omitempty"`
	Requested int    `json:"requested,omitempty"`
	Available *int   `json:"available,omitempty"`
}

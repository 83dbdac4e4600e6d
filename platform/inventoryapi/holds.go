package inventoryapi

// Stock holds (carts). A hold keeps units of several products for one
// shopper until it expires; the products service releases expired holds
// by itself. Endpoints (JSON bodies):
//
//	PUT  /internal/holds/{holdId}          SetHoldRequest -> 200 Hold (Problems lists lines not held as asked) | 400 Problem
//	GET  /internal/holds/{holdId}                         -> 200 Hold (no lines for an unknown hold)
//	POST /internal/holds/{holdId}/release  (no body)      -> 200 Hold; idempotent
//
// Setting a hold is idempotent: each line's quantity is the target number of
// held units (0 gives them all back), not a change, so a retried call holds
// nothing twice. Every set extends the hold's expiry. A line that cannot be
// held as asked keeps what it held before and is named in Problems; the
// other lines are applied. A checkout converts a hold with a
// ReserveRequest whose HoldID names it.

// PathHolds is the prefix of the hold endpoints.
const PathHolds = "/internal/holds"

// SetHoldRequest sets the held quantity of each listed product.
type SetHoldRequest struct {
	Lines []Line `json:"lines"`
}

// HeldLine is a product's units kept by a hold, with its current price.
type HeldLine struct {
	ProductID string `json:"productId"`
	// VariantID is the variant held (the default variant's id, which is
	// the product's id, when the request named none).
	VariantID string `json:"variantId,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice int    `json:"unitPrice"`
}

// Hold is the state of one hold. Lines lists every product the hold ever
// kept, with Quantity 0 once its units went back (expired, released or
// checked out), so a cart can still price such a line.
type Hold struct {
	HoldID string `json:"holdId"`
	// ExpiresAt is when the held units go back to stock (RFC 3339), empty
	// when the hold was never set.
	ExpiresAt string     `json:"expiresAt,omitempty"`
	Lines     []HeldLine `json:"lines"`
	// Problems names the lines of a set that could not be held as asked.
	Problems []Problem `json:"problems,omitempty"`
}

// Package cart is the shopper's cart: lines the shopper wants, whose
// units the products service holds for a while (a stock hold), and the
// checkout that turns the hold into an order.
//
// The cart stores what the shopper wants; products stores what is held
// (its inventory ledger is the truth about stock). Every cart is a
// session whose id is both the hold's id at products and the id of the
// order its checkout makes: the order document's unique id makes a
// repeated checkout find the first order instead of making a second. A
// checked-out session is never reused; the next cart activity starts a
// new one. Sessions are inserted under a unique (userId, seq) key, so two
// requests cannot open two current carts: the only writes that decide
// anything are inserts, as FerretDB requires.
package cart

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Sentinel errors.
var (
	// ErrUnauthenticated means the operation needs a signed-in user.
	ErrUnauthenticated = errors.New("authentication required")
	// ErrDuplicate is a unique-key violation reported by a store.
	ErrDuplicate = errors.New("duplicate key")
	// ErrEmpty means checkout found nothing in the cart.
	ErrEmpty = errors.New("the cart is empty")
)

// InputError is invalid caller input (BAD_USER_INPUT).
type InputError struct {
	Msg       string
	ProductID string
	VariantID string
	// Index is the input line the error is about in a multi-line change
	// (ChangeLines), -1 for the whole input; Field names the line's field
	// (productId or quantity); Code says what is wrong.
	Index int
	Field string
	Code  ordering.Reason
}

func (e *InputError) Error() string { return e.Msg }

// Limits bound the units one user's cart may hold, so that one account
// cannot keep a product's stock from everyone else.
type Limits struct {
	// UnitsPerProduct bounds one line's quantity.
	UnitsPerProduct int
	// Units bounds the sum of the cart's quantities.
	Units int
}

// Default limits: a household's shopping, not a product's whole stock.
const (
	DefaultUnitsPerProduct = 20
	DefaultUnits           = 100
)

// Names of the limits, as LimitError.Limit reports them.
const (
	LimitUnitsPerProduct = "unitsPerProduct"
	LimitUnits           = "unitsPerCart"
)

// LimitError refuses a change that would take a cart over one of its
// Limits (CART_LIMIT_EXCEEDED).
type LimitError struct {
	// Limit is LimitUnitsPerProduct or LimitUnits.
	Limit     string
	Max       int
	Requested int
	ProductID string
}

func (e *LimitError) Error() string {
	if e.Limit == LimitUnitsPerProduct {
		return fmt.Sprintf("a cart may hold at most %d units of one product; this line would have %d", e.Max, e.Requested)
	}
	return fmt.Sprintf("a cart may hold at most %d units in all; it would have %d", e.Max, e.Requested)
}

// LineProblem says why a line could not be held.
type LineProblem struct {
	// Code is INSUFFICIENT_STOCK or NOT_FOUND (inventoryapi codes).
	Code      string
	ProductID string
	Requested int
	// Available is the most the line could hold (nil when unknown).
	Available *int
}

// StockError lists the lines that cannot be held or checked out.
type StockError struct {
	Lines []LineProblem
}

func (e *StockError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		switch {
		case l.Code != "" && l.Code != "INSUFFICIENT_STOCK":
			parts[i] = fmt.Sprintf("product %s does not exist", l.ProductID)
		case l.Available != nil:
			parts[i] = fmt.Sprintf("product %s: requested %d, available %d", l.ProductID, l.Requested, *l.Available)
		default:
			parts[i] = fmt.Sprintf("product %s: requested %d", l.ProductID, l.Requested)
		}
	}
	return "insufficient stock for " + strings.Join(parts, "; ")
}

// Session is one cart of one user: the id of its hold and of its order.
type Session struct {
	ID        string
	UserID    string
	Seq       int
	CreatedAt time.Time
}

// Line is a product (one of its variants) the shopper wants, and how
// many. A cart line is identified by its product and variant together.
type Line struct {
	ProductID string
	// VariantID is the variant (SKU); empty for the product's default
	// variant, whose id is the product's.
	VariantID string
	Quantity  int
}

// Key is where the line's units are counted: the variant's id, which for
// the default variant is the product's. Holds key their lines the same
// way, so two variants of one product never share a line.
func (l Line) Key() string { return StockKey(l.ProductID, l.VariantID) }

// StockKey is the key of a product's variant: variantID, or productID for
// the default variant (variantID empty or equal to productID).
func StockKey(productID, variantID string) string {
	if variantID == "" {
		return productID
	}
	return variantID
}

// normVariant returns the variant a line names, empty for the default
// variant (whose id is the product's).
func normVariant(productID, variantID string) string {
	if strings.EqualFold(variantID, productID) {
		return ""
	}
	return variantID
}

// Cart is the caller's cart as shown: every line with the units held for
// it now and its current price.
type Cart struct {
	ID    string
	Lines []CartLine
	// ExpiresAt is when the held units go back to stock unless the cart
	// changes; nil when nothing was ever held.
	ExpiresAt *time.Time
	// Total is sum(quantity * unitPrice) in minor units.
	Total int64
}

// CartLine is one line of a cart.
type CartLine struct {
	ProductID string
	// VariantID is empty for the product's default variant.
	VariantID string
	Quantity  int
	// Held is how many units products holds for the line (less than
	// Quantity once the hold expired).
	Held      int
	UnitPrice int64
}

// Held is products' view of a hold.
type Held struct {
	ExpiresAt *time.Time
	// Lines are keyed by StockKey (the variant held).
	Lines    map[string]HeldLine
	Problems []LineProblem
}

// HeldLine is one variant's held units and price.
type HeldLine struct {
	Quantity  int
	UnitPrice int64
}

// Storer persists sessions and lines.
type Storer interface {
	// LatestSession returns the user's newest session (false when none).
	LatestSession(ctx context.Context, userID string) (Session, bool, error)
	// InsertSession stores a session or returns ErrDuplicate when the
	// user's seq is taken.
	InsertSession(ctx context.Context, s Session) error
	// Lines returns a session's lines, by product and variant.
	Lines(ctx context.Context, sessionID string) ([]Line, error)
	// SetLine stores a line's quantity; 0 removes the line.
	SetLine(ctx context.Context, sessionID string, l Line, at time.Time) error
}

// Holds is the products service's hold API as the cart needs it.
type Holds interface {
	SetHold(ctx context.Context, holdID string, lines []Line) (Held, error)
	GetHold(ctx context.Context, holdID string) (Held, error)
	ReleaseHold(ctx context.Context, holdID string) error
}

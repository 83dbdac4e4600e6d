package ordering

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// MaxKeyLength is the longest idempotency key accepted, in bytes.
const MaxKeyLength = 128

// KeyRecord ties an idempotency key of one user to the order it placed.
type KeyRecord struct {
	UserID  string
	Key     string
	OrderID string
	// Lines are the validated lines of the first call, so a retry can be
	// told from a different order under the same key.
	Lines []Line
	At    time.Time
}

// PlaceWithKey is Place made idempotent by a key the client chose: the
// first call records key -> order id (one insert whose unique _id picks
// one winner), and every later call by the same user with the same key
// and the same lines answers with that order as it stands, finishing its
// saga first when it is still PENDING (the reservation is idempotent by
// order id, so stock is reserved once whatever the number of retries).
// The same key with other lines, an empty key and a key longer than
// MaxKeyLength are *InputErrors.
func (s *Service) PlaceWithKey(ctx context.Context, c Caller, in []*LineInput, key string) (Order, error) {
	return s.place(ctx, c, in, &key)
}

// sameLines reports whether a and b order the same quantities of the same
// products, in any order.
func sameLines(a, b []Line) bool {
	if len(a) != len(b) {
		return false
	}
	byProduct := func(x, y Line) int { return cmp.Compare(x.ProductID, y.ProductID) }
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, byProduct)
	slices.SortFunc(b, byProduct)
	for i := range a {
		if a[i].ProductID != b[i].ProductID || a[i].VariantID != b[i].VariantID || a[i].Quantity != b[i].Quantity {
			return false
		}
	}
	return true
}

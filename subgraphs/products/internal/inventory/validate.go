package inventory

import (
	"regexp"
	"sort"
	"strconv"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Limits of orders, holds and idempotency keys (the limits the inventory
// shares with the catalog are in package input).
const (
	MaxLines      = 100
	MaxOrderIDLen = 64
)

var orderIDRe = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

func validOrderID(id string) error {
	if id == "" || len(id) > MaxOrderIDLen || !orderIDRe.MatchString(id) {
		return input.Invalid("orderId", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

func validIdempotencyKey(key string) error {
	if len(key) > MaxOrderIDLen || !orderIDRe.MatchString(key) {
		return input.Invalid("idempotencyKey", "must be 1 to %d characters of letters, digits, '_', '.', ':' or '-'", MaxOrderIDLen)
	}
	return nil
}

// normalizeLines validates an order's lines and merges lines of the same
// product, sorted by product id, so an order holds one ledger entry per
// product and kind (which the idempotency index requires).
func normalizeLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 {
		return nil, input.Invalid("lines", "must not be empty")
	}
	if len(lines) > MaxLines {
		return nil, input.Invalid("lines", "must have at most %d lines (got %d)", MaxLines, len(lines))
	}
	sum := map[string]int{}
	for i, l := range lines {
		id, err := input.ID("lines["+strconv.Itoa(i)+"].productId", l.ProductID)
		if err != nil {
			return nil, err
		}
		if err := input.Count("lines["+strconv.Itoa(i)+"].quantity", l.Quantity, 1); err != nil {
			return nil, err
		}
		sum[id] += l.Quantity
		if sum[id] > input.MaxInt {
			return nil, input.Invalid("lines", "quantity of product %s exceeds %d", id, input.MaxInt)
		}
	}
	out := make([]Line, 0, len(sum))
	for id, q := range sum {
		out = append(out, Line{ProductID: id, Quantity: q})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProductID < out[j].ProductID })
	return out, nil
}

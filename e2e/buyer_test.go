package e2e

import (
	"context"
	"fmt"
	"time"
)

// buyOutcome is what a buyer finally learned about a one-line order.
type buyOutcome struct {
	// order is the buyer's CONFIRMED order, from the answer or found by
	// looking up after an ambiguous answer; nil otherwise.
	order *order
	// status, codes and msg describe the last answer (codes "[]" when it
	// had no errors).
	status int
	codes  string
	msg    string
	// err is the transport error of the last attempt (a client timeout).
	err error
	// attempts counts placeOrder requests; lookedUp is set when the order
	// was found by looking up after an ambiguous answer.
	attempts int
	lookedUp bool
}

// buyTimeout is how long a buyer waits for one placeOrder answer: more
// than the orders service's reserve budget (12 s), so a slow answer is
// still received.
const buyTimeout = 30 * time.Second

// buy places a one-line order as a careful client does. A definite answer
// (an order, INSUFFICIENT_STOCK, any other refusal) ends it. An ambiguous
// one (SERVICE_UNAVAILABLE, which may name a possibly pending order, or no
// answer within buyTimeout) makes the buyer look at its own orders,
// waiting while one is PENDING (recovery settles it): a CONFIRMED order of
// the product ends it, otherwise it tries again after a pause, at most
// attempts times. It assumes the account has no other order of the
// product, so a retry can never buy twice unnoticed.
func (s *shop) buy(ctx context.Context, a account, productID string, attempts int) buyOutcome {
	var out buyOutcome
	for i := range attempts {
		out.attempts++
		rctx, cancel := context.WithTimeout(ctx, buyTimeout)
		r, err := s.c.Do(rctx, `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { `+orderFields+` } }`,
			map[string]any{"p": []any{map[string]any{"_id": productID, "quantity": 1}}}, a.auth())
		cancel()
		out.err, out.status, out.codes, out.msg = err, 0, "", ""
		if err == nil {
			out.status, out.codes = r.Status, codesOf(r)
			if len(r.Errors) > 0 {
				out.msg = r.Errors[0].Message
			}
			var placed struct{ PlaceOrder *order }
			if len(r.Errors) == 0 && r.Decode(&placed) == nil && placed.PlaceOrder != nil {
				out.order = placed.PlaceOrder
				return out
			}
			if !r.HasCode("SERVICE_UNAVAILABLE") {
				return out
			}
		}
		if o, err := s.settledOrderOf(ctx, a, productID); err == nil && o != nil {
			out.order, out.lookedUp = o, true
			return out
		}
		if i+1 < attempts {
			select {
			case <-ctx.Done():
				return out
			case <-time.After(time.Duration(250<<i) * time.Millisecond):
			}
		}
	}
	return out
}

// settledOrderOf waits (up to a minute) until none of the account's
// orders is PENDING and returns its CONFIRMED order of the product, if any.
func (s *shop) settledOrderOf(ctx context.Context, a account, productID string) (*order, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		var mine struct{ Orders []order }
		r, err := s.c.Do(ctx, `{ orders { `+orderFields+` } }`, nil, a.auth())
		if err == nil && len(r.Errors) == 0 && r.Decode(&mine) == nil {
			pending := false
			var found *order
			for _, o := range mine.Orders {
				switch {
				case o.Status == "PENDING":
					pending = true
				case o.Status == "CONFIRMED" && len(o.Products) == 1 && o.Products[0].ID == productID:
					found = &o
				}
			}
			if !pending {
				return found, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if err != nil {
				return nil, fmt.Errorf("orders of %s did not settle: %w", a.Username, err)
			}
			return nil, fmt.Errorf("orders of %s did not settle in a minute", a.Username)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

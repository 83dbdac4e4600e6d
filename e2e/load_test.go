package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// loadStats counts what a load run saw.
type loadStats struct {
	mu                                   sync.Mutex
	requests, orders, confirmed, errored int
	status5xx, transport                 int
	codes                                map[string]int
	// samples keeps one message per code, to tell what went wrong.
	samples map[string]string
}

func (l *loadStats) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmtStats(l.requests, l.orders, l.confirmed, l.errored, l.status5xx, l.transport, l.codes) + fmt.Sprintf("; samples %q", l.samples)
}

// runLoad keeps workers browsing and ordering (orderShare of requests are
// one-unit orders) through every router until ctx ends; Wait for the stats.
func runLoad(ctx context.Context, t *testing.T, shops []*shop, buyers []account, productIDs []string, workers int, orderShare float64) func() *loadStats {
	st := &loadStats{codes: map[string]int{}, samples: map[string]string{}}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				s := shops[rng.IntN(len(shops))]
				pid := productIDs[rng.IntN(len(productIDs))]
				isOrder := rng.Float64() < orderShare
				var q string
				var vars map[string]any
				var h map[string]string
				switch {
				case isOrder:
					q = `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { _id status } }`
					vars = map[string]any{"p": []any{map[string]any{"_id": pid, "quantity": 1}}}
					h = buyers[rng.IntN(len(buyers))].auth()
				case rng.IntN(2) == 0:
					q, vars = `query($s: Int) { products(skip: $s, take: 20) { _id name price quantity } }`, map[string]any{"s": rng.IntN(3)}
				default:
					q, vars = `query($id: ID!) { product(id: $id) { _id name quantity } }`, map[string]any{"id": pid}
				}
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				r, err := s.c.Do(rctx, q, vars, h)
				cancel()
				st.mu.Lock()
				st.requests++
				if isOrder {
					st.orders++
				}
				switch {
				case err != nil:
					st.transport++
				case r.Status >= 500:
					st.status5xx++
				case len(r.Errors) > 0:
					st.errored++
					for _, e := range r.Errors {
						st.codes[e.Code()]++
						if _, ok := st.samples[e.Code()]; !ok {
							st.samples[e.Code()] = e.Message
						}
					}
				case isOrder:
					st.confirmed++
				}
				st.mu.Unlock()
			}
		})
	}
	return func() *loadStats {
		wg.Wait()
		return st
	}
}

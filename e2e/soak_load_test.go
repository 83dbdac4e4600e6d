package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// soakStats counts what the soak's clients saw.
type soakStats struct {
	mu                             sync.Mutex
	requests, status5xx, transport int
	serverErrors                   int // SERVICE_UNAVAILABLE, INTERNAL_SERVER_ERROR or no code
	byOp, codes                    map[string]int
	samples                        map[string]string
	latency                        map[string][]time.Duration // by "browse" and "order"
	elapsed                        time.Duration
}

func (st *soakStats) String() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "  requests %d in %s (%.1f/s); 5xx %d, transport errors %d, server-side GraphQL errors %d\n",
		st.requests, st.elapsed.Round(time.Second), float64(st.requests)/st.elapsed.Seconds(), st.status5xx, st.transport, st.serverErrors)
	ops := make([]string, 0, len(st.byOp))
	for op := range st.byOp {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		fmt.Fprintf(&b, "  %-26s %6d\n", op, st.byOp[op])
	}
	fmt.Fprintf(&b, "  error codes %v\n", st.codes)
	for _, class := range []string{"browse", "order"} {
		ls := slices.Clone(st.latency[class])
		if len(ls) == 0 {
			continue
		}
		slices.Sort(ls)
		q := func(f float64) time.Duration { return ls[int(f*float64(len(ls)-1))].Round(time.Millisecond) }
		fmt.Fprintf(&b, "  latency %-6s n=%d p50 %s p95 %s p99 %s max %s\n", class, len(ls), q(0.5), q(0.95), q(0.99), ls[len(ls)-1].Round(time.Millisecond))
	}
	return b.String()
}

// soakWorker is one client loop with its own shoppers, so one shopper's
// cart and orders are only ever touched by one worker.
type soakWorker struct {
	st       *soakStats
	shops    []*shop
	shoppers []account
	ids      []string
	supplied *stockBook
	rng      *rand.Rand
	// placed are each shopper's CONFIRMED orders, candidates for cancel.
	placed map[string][]string
}

// runSoak drives workers until ctx ends, at most cfg.rps requests a second
// in all, and returns what they saw.
func runSoak(ctx context.Context, shops []*shop, shoppers []account, ids []string, supplied *stockBook, cfg soakConfig) *soakStats {
	st := &soakStats{byOp: map[string]int{}, codes: map[string]int{}, samples: map[string]string{}, latency: map[string][]time.Duration{}}
	tick := time.NewTicker(time.Second / time.Duration(cfg.rps))
	defer tick.Stop()
	per := len(shoppers) / cfg.workers
	began := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.workers {
		wk := &soakWorker{st: st, shops: shops, shoppers: shoppers[w*per : (w+1)*per], ids: ids, supplied: supplied,
			rng: rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano()))), placed: map[string][]string{}}
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				wk.step(ctx)
			}
		})
	}
	wg.Wait()
	st.elapsed = time.Since(began)
	return st
}

// step sends one request (two for a cart checked out at once).
func (w *soakWorker) step(ctx context.Context) {
	sh, who := pick(w.rng, w.shops), pick(w.rng, w.shoppers)
	pid := pick(w.rng, w.ids)
	if w.rng.Float64() < 0.9 {
		switch b := w.rng.IntN(100); {
		case b < 35:
			w.send(ctx, sh, "browse", "products page", `query($s: Int, $t: Int) { products(skip: $s, take: $t) { _id name price quantity } }`,
				map[string]any{"s": w.rng.IntN(25), "t": 5 + w.rng.IntN(16)}, nil)
		case b < 45:
			w.send(ctx, sh, "browse", "search", `query($q: String) { products(search: $q, take: 10) { _id name price } }`,
				map[string]any{"q": fmt.Sprintf("item %d", w.rng.IntN(3))}, nil)
		case b < 75:
			// The ledger (movements) answers only with the admin key.
			w.send(ctx, sh, "browse", "product page", `query($id: ID!) { product(id: $id) { _id name description price quantity createdAt updatedAt movements(take: 5) { kind delta balance } } }`,
				map[string]any{"id": pid}, sh.admin)
		case b < 90:
			w.send(ctx, sh, "browse", "me orders", `{ me { _id username orders { _id status total createdAt products { quantity unitPrice product { name price } } } } }`,
				nil, who.auth())
		default:
			w.send(ctx, sh, "browse", "cart", `{ cart { `+cartFields+` } }`, nil, who.auth())
		}
		return
	}
	switch o := w.rng.IntN(100); {
	case o < 15 && len(w.placed[who.ID]) > 0:
		list := w.placed[who.ID]
		i := w.rng.IntN(len(list))
		id := list[i]
		w.placed[who.ID] = append(list[:i], list[i+1:]...)
		w.send(ctx, sh, "order", "cancelOrder", `mutation($id: ID!) { cancelOrder(id: $id) { _id status } }`, map[string]any{"id": id}, who.auth())
	case o < 70:
		lines := []any{map[string]any{"_id": pid, "quantity": 1 + w.rng.IntN(3)}}
		if other := pick(w.rng, w.ids); other != pid && w.rng.IntN(2) == 0 {
			lines = append(lines, map[string]any{"_id": other, "quantity": 1})
		}
		r := w.send(ctx, sh, "order", "placeOrder", `mutation($p: [OrderProductInput]) { placeOrder(products: $p) { _id status } }`,
			map[string]any{"p": lines}, who.auth())
		w.remember(r, "placeOrder", who)
	case o < 95:
		w.send(ctx, sh, "order", "addToCart", `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { _id total } }`,
			map[string]any{"p": pid, "q": 1 + w.rng.IntN(2)}, who.auth())
		if o >= 85 {
			r := w.send(ctx, pick(w.rng, w.shops), "order", "checkout", `mutation { checkout { _id status } }`, nil, who.auth())
			w.remember(r, "checkout", who)
		}
	default:
		r := w.send(ctx, sh, "order", "restockProduct", `mutation($id: ID!) { restockProduct(id: $id, quantity: 50) { _id } }`,
			map[string]any{"id": pid}, sh.admin)
		if r != nil && r.Status == 200 && len(r.Errors) == 0 {
			w.supplied.add(pid, 50)
		}
	}
}

// remember keeps a CONFIRMED order for a later cancel.
func (w *soakWorker) remember(r *harness.Response, field string, who account) {
	if r == nil || len(r.Errors) > 0 {
		return
	}
	var out map[string]*order
	if r.Decode(&out) == nil && out[field] != nil && out[field].Status == "CONFIRMED" {
		w.placed[who.ID] = append(w.placed[who.ID], out[field].ID)
	}
}

// send runs one request to its end even when the run is over (an answer
// cut off by the test would look like a failure) and records it.
func (w *soakWorker) send(ctx context.Context, sh *shop, class, op, query string, vars map[string]any, h map[string]string) *harness.Response {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	began := time.Now()
	r, err := sh.c.Do(rctx, query, vars, h)
	took := time.Since(began)
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.requests++
	st.latency[class] = append(st.latency[class], took)
	switch {
	case err != nil:
		st.transport++
		st.note("transport", op+": "+err.Error())
	case r.Status >= 500:
		st.status5xx++
		st.note(fmt.Sprintf("HTTP %d", r.Status), op+": "+string(r.Body))
	case r.Status != 200:
		st.byOp[op+" http "+fmt.Sprint(r.Status)]++
		st.codes[fmt.Sprintf("HTTP %d", r.Status)]++
		st.note(fmt.Sprintf("HTTP %d", r.Status), op+": "+string(r.Body))
	case len(r.Errors) > 0:
		st.byOp[op+" refused"]++
		for _, e := range r.Errors {
			code := e.Code()
			if code == "" || code == "SERVICE_UNAVAILABLE" || code == "INTERNAL_SERVER_ERROR" {
				st.serverErrors++
			}
			st.codes[code]++
			st.note(code, op+": "+e.Message)
		}
	default:
		st.byOp[op+" ok"]++
	}
	if err != nil {
		return nil
	}
	return r
}

// note keeps the first message seen for a kind of failure; st.mu is held.
func (st *soakStats) note(kind, msg string) {
	if _, ok := st.samples[kind]; !ok {
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		st.samples[kind] = msg
	}
}

// Package live delivers product changes to the replicas that need them: it
// reads the products topic on every replica (cache invalidation and the
// inventoryUpdated subscription) and fans changes out to subscribers.
package live

import (
	"context"
	"sync"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// subscriberBuffer is how many updates a slow subscriber may lag behind
// before older updates are dropped; each update carries the full product,
// so the newest one is what matters.
const subscriberBuffer = 16

// Hub fans product updates out to in-process subscribers.
type Hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	productID string // empty: every product
	ch        chan catalog.Product
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*subscriber]struct{}{}} }

// Subscribe returns a channel of updates of productID (every product when
// empty) that is closed when ctx ends.
func (h *Hub) Subscribe(ctx context.Context, productID string) <-chan catalog.Product {
	s := &subscriber{productID: productID, ch: make(chan catalog.Product, subscriberBuffer)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, s)
		close(s.ch)
		h.mu.Unlock()
	}()
	return s.ch
}

// Wants reports whether anyone listens to productID, so the feed loads a
// product only when it will be delivered.
func (h *Hub) Wants(productID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.productID == "" || s.productID == productID {
			return true
		}
	}
	return false
}

// Publish delivers p to its subscribers without blocking: a subscriber
// whose buffer is full loses its oldest update.
func (h *Hub) Publish(p catalog.Product) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.productID != "" && s.productID != p.ID {
			continue
		}
		for {
			select {
			case s.ch <- p:
			default:
				select {
				case <-s.ch:
				default:
				}
				continue
			}
			break
		}
	}
}

// Len reports the number of subscribers.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

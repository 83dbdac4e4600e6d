package engine

import (
	"container/list"
	"sync"
)

// lru is a small mutex-guarded LRU cache keyed by a 64-bit hash. Lookups
// pass a match function that compares the full key, ruling out collisions
// without building a key string per request.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	items map[uint64]*list.Element
	order *list.List
}

type lruEntry[V any] struct {
	hash  uint64
	value V
}

func newLRU[V any](max int) *lru[V] {
	if max <= 0 {
		max = 1
	}
	return &lru[V]{max: max, items: make(map[uint64]*list.Element, max), order: list.New()}
}

func (c *lru[V]) get(hash uint64, match func(V) bool) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[hash]; ok {
		e := el.Value.(*lruEntry[V])
		if match(e.value) {
			c.order.MoveToFront(el)
			return e.value, true
		}
	}
	var zero V
	return zero, false
}

func (c *lru[V]) add(hash uint64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[hash]; ok {
		el.Value = &lruEntry[V]{hash: hash, value: v}
		c.order.MoveToFront(el)
		return
	}
	c.items[hash] = c.order.PushFront(&lruEntry[V]{hash: hash, value: v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry[V]).hash)
	}
}

func (c *lru[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

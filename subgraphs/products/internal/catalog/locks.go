package catalog

import (
	"hash/fnv"
	"sync"
)

// maxHeadsPerStripe bounds the remembered ledger heads of one stripe.
const maxHeadsPerStripe = 1024

// stripes serializes stock changes per product inside one process. Without
// it, concurrent requests for one product would race for the same next
// ledger version and burn thousands of duplicate-key retries; with it, the
// unique index only arbitrates between replicas. Each stripe also remembers
// the ledger heads this process appended, so the next append can skip
// reading the head: if another replica appended meanwhile, the insert hits
// the (productId, version) index and the head is read then.
type stripes struct {
	mu    []sync.Mutex
	heads []map[string]Movement
}

func newStripes(n int) *stripes {
	if n <= 0 {
		n = 256
	}
	s := &stripes{mu: make([]sync.Mutex, n), heads: make([]map[string]Movement, n)}
	for i := range s.heads {
		s.heads[i] = map[string]Movement{}
	}
	return s
}

// stripe is one locked stripe; its methods may be called only while held.
type stripe struct {
	s *stripes
	i int
}

// lock locks the stripe of key.
func (s *stripes) lock(key string) stripe {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key)) //nolint:errcheck // hash writes never fail
	i := int(h.Sum32() % uint32(len(s.mu)))
	s.mu[i].Lock()
	return stripe{s: s, i: i}
}

func (st stripe) unlock() { st.s.mu[st.i].Unlock() }

func (st stripe) head(productID string) (Movement, bool) {
	m, ok := st.s.heads[st.i][productID]
	return m, ok
}

func (st stripe) remember(m Movement) {
	heads := st.s.heads[st.i]
	if _, ok := heads[m.ProductID]; !ok && len(heads) >= maxHeadsPerStripe {
		clear(heads)
	}
	heads[m.ProductID] = m
}

// forget drops the remembered head of a product found outdated.
func (st stripe) forget(productID string) { delete(st.s.heads[st.i], productID) }

package inventory

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
// the entry's key (product and version) and the head is read then.
type stripes struct {
	mu    []sync.Mutex
	heads []map[string]known
}

// known is what a stripe knows of a product's ledger: the newest head it
// saw (ok), and the newest version it knows another writer took (the
// version its append collided with), which outdates older heads.
type known struct {
	head  Movement
	ok    bool
	taken int64
}

func newStripes(n int) *stripes {
	if n <= 0 {
		n = 256
	}
	s := &stripes{mu: make([]sync.Mutex, n), heads: make([]map[string]known, n)}
	for i := range s.heads {
		s.heads[i] = map[string]known{}
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

// head returns the newest head the stripe knows of a product, unless a
// collision showed that head outdated.
func (st stripe) head(productID string) (Movement, bool) {
	k := st.s.heads[st.i][productID]
	return k.head, k.ok && k.head.Version >= k.taken
}

// remember records a head (appended or read), unless it is older than the
// one known or than a version known taken.
func (st stripe) remember(m Movement) {
	heads := st.s.heads[st.i]
	k, ok := heads[m.ProductID]
	if !ok && len(heads) >= maxHeadsPerStripe {
		clear(heads)
	}
	if k.ok && k.head.Version > m.Version {
		return
	}
	k.head, k.ok = m, true
	heads[m.ProductID] = k
}

// taken records that another writer appended version v of a product, so
// heads older than v are outdated: callers holding one then read a fresh
// head instead of colliding with v in turn.
func (st stripe) taken(productID string, v int64) {
	heads := st.s.heads[st.i]
	k := heads[productID]
	k.taken = max(k.taken, v)
	heads[productID] = k
}

package catalog

import (
	"hash/fnv"
	"sync"
)

// stripes serializes stock changes per product inside one process. Without
// it, concurrent requests for one product would race for the same next
// ledger version and burn thousands of duplicate-key retries; with it, the
// unique index only arbitrates between replicas.
type stripes struct {
	mu []sync.Mutex
}

func newStripes(n int) *stripes {
	if n <= 0 {
		n = 256
	}
	return &stripes{mu: make([]sync.Mutex, n)}
}

// lock locks the stripe of key and returns its unlock function.
func (s *stripes) lock(key string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key)) //nolint:errcheck // hash writes never fail
	m := &s.mu[h.Sum32()%uint32(len(s.mu))]
	m.Lock()
	return m.Unlock
}

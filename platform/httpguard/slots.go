package httpguard

import (
	"errors"
	"net/netip"
	"sync"
)

// Refusals of Slots.Acquire.
var (
	// ErrFull means the process holds as many as it may.
	ErrFull = errors.New("process limit reached")
	// ErrAddrFull means the client address holds as many as it may.
	ErrAddrFull = errors.New("per-address limit reached")
)

// Slots counts the holders of something scarce (connections,
// subscriptions) in the whole process and per client address, and refuses
// a new holder over either cap. It is safe for concurrent use.
type Slots struct {
	max, perKey int

	mu     sync.Mutex
	total  int
	byKey  map[string]int
	denied int64
}

// NewSlots returns slots capped at max in all and perKey per address; 0
// leaves that cap off.
func NewSlots(maxTotal, perKey int) *Slots {
	return &Slots{max: maxTotal, perKey: perKey, byKey: map[string]int{}}
}

// Acquire takes a slot for key (a PeerKey) or returns ErrFull or
// ErrAddrFull. release gives the slot back; calling it more than once is
// harmless.
func (s *Slots) Acquire(key string) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.perKey > 0 && s.byKey[key] >= s.perKey:
		s.denied++
		return nil, ErrAddrFull
	case s.max > 0 && s.total >= s.max:
		s.denied++
		return nil, ErrFull
	}
	s.total++
	s.byKey[key]++
	return sync.OnceFunc(func() { s.release(key) }), nil
}

func (s *Slots) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total--
	if s.byKey[key]--; s.byKey[key] <= 0 {
		delete(s.byKey, key)
	}
}

// InUse returns the slots held in all and by key.
func (s *Slots) InUse(key string) (total, byKey int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total, s.byKey[key]
}

// Denied returns how many acquisitions were refused so far.
func (s *Slots) Denied() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.denied
}

// PeerKey is the accounting key of a TCP peer address ("ip:port"): the IP
// for IPv4, its /64 network for IPv6 (one host usually owns a whole /64,
// so counting single IPv6 addresses would let it multiply its share).
// Addresses that are not IP:port (pipes in tests) are their own key.
func PeerKey(remoteAddr string) string {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, err := ip.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return ip.String()
}

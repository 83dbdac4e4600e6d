package engine

import (
	"bytes"
	"errors"
	"sync"
	"time"
)

// inboundFlights merges identical client requests in flight: the first
// (the leader) resolves, the others wait for its response and write a copy.
//
// graphql-go-tools has the same feature, but in v2.16.0 a follower that
// registers after the leader looked for followers receives no data, goes
// on to resolve as if it led, and closes the leader's channel a second
// time ("close of closed channel", which takes the process down); on its
// way it also removes the next leader of the same key from the map, so
// later requests stop merging. Here the leader decides under the same
// lock that followers join under, so a follower always finds the data.
type inboundFlights struct {
	shards [16]inboundShard
}

type inboundShard struct {
	mu sync.Mutex
	m  map[uint64]*flight
}

// flight is one resolution in progress; data and err are written before
// done is closed and only read after; followers and doneAt are guarded by
// the shard.
type flight struct {
	done      chan struct{}
	followers int
	data      []byte
	err       error
	doneAt    time.Time // when the response was complete
}

// shareAfterDone bounds how long after its completion a response is
// given to newcomers while its leader still writes it to a client: a
// client that does not read its answer must not keep serving an old one.
const shareAfterDone = 100 * time.Millisecond

var errLeaderPanicked = errors.New("deduplicated request: the leading request failed")

// do writes the response for key into buf: as the leader by calling
// resolve (which writes into buf), or as a follower by copying the
// leader's response; then it calls deliver, when not nil, with the
// response in buf. A follower whose leader failed (its client went away,
// its deadline passed) resolves on its own rather than inherit the error.
// The first result reports whether the response was shared.
//
// The leader's followers get its response as soon as it is complete, but
// the flight stays open until the leader has delivered its own, as when
// a router resolves straight into the client connection: requests that
// arrive while the leader writes to its client take the same response.
func (f *inboundFlights) do(wait <-chan struct{}, key uint64, buf *bytes.Buffer, resolve func() error, deliver func()) (bool, error) {
	s := &f.shards[key%uint64(len(f.shards))]
	s.mu.Lock()
	if fl, ok := s.m[key]; ok && (fl.doneAt.IsZero() || time.Since(fl.doneAt) <= shareAfterDone) {
		fl.followers++
		s.mu.Unlock()
		select {
		case <-fl.done:
		case <-wait:
			return false, errWaitEnded
		}
		if fl.err == nil {
			buf.Write(fl.data)
			if deliver != nil {
				deliver()
			}
			return true, nil
		}
		err := resolve()
		if err == nil && deliver != nil {
			deliver()
		}
		return false, err
	}
	if s.m == nil {
		s.m = map[uint64]*flight{}
	}
	// A flight past shareAfterDone is replaced; its leader's remove then
	// leaves this one in place.
	fl := &flight{done: make(chan struct{})}
	s.m[key] = fl
	s.mu.Unlock()
	// remove closes the flight to newcomers and reports its followers.
	remove := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.m[key] == fl {
			delete(s.m, key)
		}
		return fl.followers
	}
	published := false
	publish := func(err error, data []byte) {
		s.mu.Lock()
		fl.err, fl.data, fl.doneAt, published = err, data, time.Now(), true
		s.mu.Unlock()
		close(fl.done)
	}
	defer func() {
		// A panic in resolve or deliver must not leave followers waiting.
		if !published {
			publish(errLeaderPanicked, nil)
		}
		remove()
	}()
	err := resolve()
	switch {
	case err != nil:
		remove()
		publish(err, nil)
	case deliver == nil:
		var data []byte
		if remove() > 0 {
			data = bytes.Clone(buf.Bytes())
		}
		publish(nil, data)
	default:
		publish(nil, bytes.Clone(buf.Bytes()))
		deliver()
	}
	return false, err
}

// errWaitEnded stands for the follower's context error; the caller
// replaces it with ctx.Err().
var errWaitEnded = errors.New("deduplicated request: wait ended")

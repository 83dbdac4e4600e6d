package engine

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// gatedSubgraphs answers like memorySubgraphs once the gate opens,
// counting the requests it received.
type gatedSubgraphs struct {
	mem      *memorySubgraphs
	gate     chan struct{}
	requests atomic.Int64
}

func (g *gatedSubgraphs) RoundTrip(r *http.Request) (*http.Response, error) {
	g.requests.Add(1)
	select {
	case <-g.gate:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return g.mem.RoundTrip(r)
}

func newGatedEngine(t *testing.T) (*Engine, *gatedSubgraphs) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	g := &gatedSubgraphs{mem: &memorySubgraphs{n: 2, cache: map[string][]byte{}}, gate: make(chan struct{})}
	e, err := New(ctx, Options{
		SupergraphSDL: enginetest.Supergraph,
		HTTP:          HTTPOptions{WrapTransport: func(http.RoundTripper) http.RoundTripper { return g }},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, g
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (f *inboundFlights) followers() int {
	n := 0
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		for _, fl := range s.m {
			n += fl.followers
		}
		s.mu.Unlock()
	}
	return n
}

// TestIdenticalRequestsShareOneResponse checks that identical queries in
// flight at once are resolved once and all get the leader's response.
func TestIdenticalRequestsShareOneResponse(t *testing.T) {
	t.Parallel()
	e, g := newGatedEngine(t)
	const n = 8
	out := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			if err := e.Execute(context.Background(), &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{}); err != nil {
				t.Error(err)
			}
			out[i] = buf.String()
		}()
	}
	waitFor(t, "followers", func() bool { return e.inbound.followers() == n-1 })
	close(g.gate)
	wg.Wait()
	if got := g.requests.Load(); got != 1 {
		t.Fatalf("subgraph requests: %d, want 1", got)
	}
	if got := e.inboundShared.Load(); got != n-1 {
		t.Fatalf("shared responses: %d, want %d", got, n-1)
	}
	for i := 1; i < n; i++ {
		if out[i] != out[0] || out[0] == "" {
			t.Fatalf("response %d = %q, want the leader's %q", i, out[i], out[0])
		}
	}
}

// TestFollowerOutlivesItsLeader checks that a follower whose leader's
// client went away resolves on its own instead of failing with it.
func TestFollowerOutlivesItsLeader(t *testing.T) {
	t.Parallel()
	e, g := newGatedEngine(t)
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		var buf bytes.Buffer
		leaderErr <- e.Execute(leaderCtx, &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{})
	}()
	waitFor(t, "leader's fetch", func() bool { return g.requests.Load() == 1 })
	var buf bytes.Buffer
	followerErr := make(chan error, 1)
	go func() {
		followerErr <- e.Execute(context.Background(), &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{})
	}()
	waitFor(t, "follower", func() bool { return e.inbound.followers() == 1 })
	cancelLeader()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v, want context.Canceled", err)
	}
	close(g.gate)
	if err := <-followerErr; err != nil {
		t.Fatalf("follower: %v", err)
	}
	if want := `{"data":{"products":[{"id":"0","name":"product \"0\" with a longer name"},{"id":"1","name":"product \"1\" with a longer name"}]}}`; buf.String() != want {
		t.Fatalf("follower got %s, want %s", buf.String(), want)
	}
}

// TestInboundDeduplicationUnderContention runs identical queries from many
// goroutines against instant subgraphs, so that followers keep joining
// leaders that are finishing. graphql-go-tools' own inbound deduplication
// (v2.16.0) panics here with "close of closed channel" within seconds.
func TestInboundDeduplicationUnderContention(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	mem := &memorySubgraphs{n: 2, cache: map[string][]byte{}}
	e, err := New(ctx, Options{
		SupergraphSDL: enginetest.Supergraph,
		HTTP:          HTTPOptions{WrapTransport: func(http.RoundTripper) http.RoundTripper { return mem }},
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"data":{"products":[{"id":"0","name":"product \"0\" with a longer name","price":10},{"id":"1","name":"product \"1\" with a longer name","price":11}]}}`
	iterations := 5000
	if testing.Short() {
		iterations = 500
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := 0; i < iterations; i++ {
				buf.Reset()
				if err := e.Execute(ctx, &Request{Query: `{ products { id name price } }`}, nil, &buf, ExecOptions{}); err != nil {
					t.Error(err)
					return
				}
				if buf.String() != want {
					t.Errorf("got %s, want %s", buf.String(), want)
					return
				}
			}
		}()
	}
	wg.Wait()
	if e.inboundShared.Load() == 0 {
		t.Fatal("no response was shared")
	}
}

// TestLateRequestJoinsWhileLeaderDelivers checks that an identical request
// arriving while the leader still writes its response to its client takes
// that response instead of resolving again.
func TestLateRequestJoinsWhileLeaderDelivers(t *testing.T) {
	t.Parallel()
	e, g := newGatedEngine(t)
	close(g.gate)
	writing, release := make(chan struct{}), make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		var buf bytes.Buffer
		leaderDone <- e.Execute(context.Background(), &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{
			Deliver: func(*bytes.Buffer) {
				close(writing)
				<-release
			},
		})
	}()
	<-writing
	var got string
	var buf bytes.Buffer
	err := e.Execute(context.Background(), &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{
		Deliver: func(b *bytes.Buffer) { got = b.String() },
	})
	close(release)
	if err != nil || <-leaderDone != nil {
		t.Fatalf("execute: %v", err)
	}
	if n := g.requests.Load(); n != 1 {
		t.Fatalf("subgraph requests: %d, want 1", n)
	}
	if e.inboundShared.Load() != 1 || !strings.Contains(got, `"products"`) {
		t.Fatalf("late request: shared %d, delivered %q", e.inboundShared.Load(), got)
	}
}

// TestStalledLeaderStopsSharing checks that a leader whose client does
// not take its response shares it only for a short while after it was
// complete: a later identical request resolves again.
func TestStalledLeaderStopsSharing(t *testing.T) {
	t.Parallel()
	e, g := newGatedEngine(t)
	close(g.gate)
	writing, release := make(chan struct{}), make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		var buf bytes.Buffer
		leaderDone <- e.Execute(context.Background(), &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{
			Deliver: func(*bytes.Buffer) {
				close(writing)
				<-release // a client that never reads
			},
		})
	}()
	<-writing
	time.Sleep(shareAfterDone + 50*time.Millisecond)
	var buf bytes.Buffer
	if err := e.Execute(context.Background(), &Request{Query: `{ products { id name } }`}, nil, &buf, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
	if n := g.requests.Load(); n != 2 || e.inboundShared.Load() != 0 {
		t.Fatalf("subgraph requests %d, shared %d: want 2 and 0", n, e.inboundShared.Load())
	}
	// The stalled leader's flight ended without removing its successor's.
	if n := e.inbound.followers(); n != 0 {
		t.Fatalf("flights left with followers: %d", n)
	}
}

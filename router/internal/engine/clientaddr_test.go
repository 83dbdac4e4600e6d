package engine

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

const xff = "X-Forwarded-For"

// addressRecorder answers like memorySubgraphs and records, per subgraph
// host, the X-Forwarded-For of each request; requests to subgraph "a" wait
// for gateA.
type addressRecorder struct {
	mem   *memorySubgraphs
	gateA chan struct{}
	mu    sync.Mutex
	seen  map[string][]string
}

func (a *addressRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.seen[r.URL.Host] = append(a.seen[r.URL.Host], r.Header.Get(xff))
	a.mu.Unlock()
	a.mu.Lock()
	gate := a.gateA
	a.mu.Unlock()
	if r.URL.Host == "a.invalid" {
		<-gate
	}
	return a.mem.RoundTrip(r)
}

func (a *addressRecorder) requests(host string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.seen[host])
}

// TestClientAddressOnlyWhereConfigured checks that the client address goes
// only to the subgraphs configured for it, and does not keep requests of
// different clients to the other subgraphs apart: two clients' identical
// requests in flight make one request to subgraph "a", while "b" still
// gets each client's address.
func TestClientAddressOnlyWhereConfigured(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rec := &addressRecorder{mem: &memorySubgraphs{n: 2, cache: map[string][]byte{}}, gateA: make(chan struct{}), seen: map[string][]string{}}
	e, err := New(ctx, Options{
		SupergraphSDL:   enginetest.Supergraph,
		ForwardHeaders:  []string{"Authorization", xff},
		HeaderSubgraphs: map[string][]string{xff: {"b"}},
		HTTP:            HTTPOptions{WrapTransport: func(http.RoundTripper) http.RoundTripper { return rec }},
	})
	if err != nil {
		t.Fatal(err)
	}
	execAs := func(addr, query string, wg *sync.WaitGroup) {
		defer wg.Done()
		var buf bytes.Buffer
		h := http.Header{xff: {addr}}
		if err := e.Execute(ctx, &Request{Query: query}, h, &buf, ExecOptions{}); err != nil {
			t.Error(err)
		}
		if bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
			t.Errorf("response has errors: %s", buf.Bytes())
		}
	}

	// Subgraph "a" only: the two clients' requests are one.
	var wg sync.WaitGroup
	wg.Add(2)
	go execAs("10.0.0.1", `{ products { id name } }`, &wg)
	go execAs("10.0.0.2", `{ products { id name } }`, &wg)
	waitFor(t, "the second client to join the first", func() bool { return e.inbound.followers() == 1 })
	rec.mu.Lock()
	close(rec.gateA)
	rec.mu.Unlock()
	wg.Wait()
	if got := rec.requests("a.invalid"); len(got) != 1 || got[0] != "" {
		t.Fatalf("subgraph a: requests with X-Forwarded-For %q, want one without", got)
	}

	// "a" then "b": the root fetch to "a" is shared, "b" gets each address.
	// The second client's fetch joins the first one in flight; nothing
	// observable marks that moment, so it is given time, and on a busy
	// machine another try.
	for attempt := 1; ; attempt++ {
		rec.mu.Lock()
		rec.seen = map[string][]string{}
		rec.gateA = make(chan struct{})
		rec.mu.Unlock()
		wg.Add(2)
		go execAs("10.0.0.1", `{ products { id price } }`, &wg)
		waitFor(t, "the first client's fetch", func() bool { return len(rec.requests("a.invalid")) == 1 })
		go execAs("10.0.0.2", `{ products { id price } }`, &wg)
		time.Sleep(200 * time.Millisecond)
		close(rec.gateA)
		wg.Wait()
		b := rec.requests("b.invalid")
		slices.Sort(b)
		if want := []string{"10.0.0.1", "10.0.0.2"}; !slices.Equal(b, want) {
			t.Fatalf("subgraph b: X-Forwarded-For %q, want %q", b, want)
		}
		a := rec.requests("a.invalid")
		if len(a) == 1 && a[0] == "" {
			break
		}
		if attempt == 3 {
			t.Fatalf("subgraph a: requests with X-Forwarded-For %q, want one without", a)
		}
	}
}

// TestClientAddressToUnknownSubgraph checks that a subgraph name the
// supergraph does not have is refused when the engine is built.
func TestClientAddressToUnknownSubgraph(t *testing.T) {
	t.Parallel()
	_, err := New(context.Background(), Options{
		SupergraphSDL:   enginetest.Supergraph,
		ForwardHeaders:  []string{xff},
		HeaderSubgraphs: map[string][]string{xff: {"users"}},
	})
	if err == nil {
		t.Fatal("want an error for an unknown subgraph")
	}
}

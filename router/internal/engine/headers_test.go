package engine

import (
	"net/http"
	"testing"
)

// TestSubgraphHeadersAreCopies checks that every fetch gets its own header
// map: graphql-go-tools writes Accept and Content-Type into it, and
// parallel fetches of one request must not write to the same map.
func TestSubgraphHeadersAreCopies(t *testing.T) {
	t.Parallel()
	in := http.Header{}
	in.Set("Authorization", "Bearer t1")
	hb := newHeaderForwarder([]string{"authorization"}, nil).build(in)
	first, h1 := hb.HeadersForSubgraph("a")
	first.Add("Accept", "application/json")
	second, h2 := hb.HeadersForSubgraph("b")
	if h1 != h2 || h1 == 0 {
		t.Fatalf("hashes %d and %d, want equal and non-zero", h1, h2)
	}
	if got := second.Get("Accept"); got != "" {
		t.Fatalf("second fetch sees the first fetch's header Accept=%q", got)
	}
	if got := second.Get("Authorization"); got != "Bearer t1" {
		t.Fatalf("Authorization = %q, want the client's", got)
	}
	if h, _ := newHeaderForwarder(nil, nil).build(in).HeadersForSubgraph("a"); h != nil {
		t.Fatalf("no forwarded headers: got %v, want nil", h)
	}
}

package engine

import (
	"net/http"
	"sort"

	"github.com/cespare/xxhash/v2"
)

// headerForwarder picks the client headers that go to every subgraph.
type headerForwarder struct {
	names []string // canonical header names, sorted
}

func newHeaderForwarder(names []string) headerForwarder {
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		c := http.CanonicalHeaderKey(n)
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return headerForwarder{names: out}
}

// build returns the forwarded headers and their hash; the hash keeps
// requests of different callers apart in subgraph and inbound deduplication.
func (f headerForwarder) build(in http.Header) *subgraphHeaders {
	out := &subgraphHeaders{}
	if len(f.names) == 0 || len(in) == 0 {
		return out
	}
	d := xxhash.New()
	for _, name := range f.names {
		vals := in[name]
		if len(vals) == 0 {
			continue
		}
		if out.header == nil {
			out.header = make(http.Header, len(f.names))
		}
		out.header[name] = vals
		_, _ = d.WriteString(name)
		for _, v := range vals {
			_, _ = d.WriteString("\x00")
			_, _ = d.WriteString(v)
		}
		_, _ = d.WriteString("\x01")
	}
	if out.header != nil {
		out.hash = d.Sum64()
	}
	return out
}

// subgraphHeaders implements resolve.SubgraphHeadersBuilder: the same
// forwarded headers go to every subgraph.
type subgraphHeaders struct {
	header http.Header
	hash   uint64
}

// HeadersForSubgraph returns a copy of the forwarded headers and their
// hash. graphql-go-tools uses the returned map as the subgraph request's
// header and adds Accept and Content-Type to it, so every fetch needs its
// own: one shared map written by parallel fetches crashes the process.
func (s *subgraphHeaders) HeadersForSubgraph(string) (http.Header, uint64) {
	if s.header == nil {
		return nil, s.hash
	}
	return s.header.Clone(), s.hash
}

// HashAll returns the hash of all forwarded headers.
func (s *subgraphHeaders) HashAll() uint64 { return s.hash }

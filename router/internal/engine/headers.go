package engine

import (
	"net/http"
	"slices"
	"sort"

	"github.com/cespare/xxhash/v2"
)

// headerForwarder picks the client headers that go to the subgraphs: most
// to every subgraph, some (the client address) only to the subgraphs
// configured for them.
type headerForwarder struct {
	names []string // canonical header names, sorted
	// only maps a header of names to the subgraphs that receive it; a
	// header absent from it goes to every subgraph.
	only map[string][]string
}

func newHeaderForwarder(names []string, only map[string][]string) headerForwarder {
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
	f := headerForwarder{names: out}
	for name, subgraphs := range only {
		if len(subgraphs) == 0 {
			continue
		}
		if f.only == nil {
			f.only = map[string][]string{}
		}
		f.only[http.CanonicalHeaderKey(name)] = slices.Clone(subgraphs)
	}
	return f
}

// build returns the forwarded headers of a request with their hashes; the
// hashes keep requests of different callers apart in subgraph and inbound
// deduplication, per subgraph: a header a subgraph does not receive does
// not keep its requests apart.
func (f headerForwarder) build(in http.Header) *subgraphHeaders {
	out := &subgraphHeaders{}
	if len(f.names) == 0 || len(in) == 0 {
		return out
	}
	all := xxhash.New()
	for _, name := range f.names {
		vals := in[name]
		if len(vals) == 0 {
			continue
		}
		if subgraphs, ok := f.only[name]; ok {
			out.restricted = append(out.restricted, restrictedHeader{name: name, values: vals, subgraphs: subgraphs, hash: hashHeader(xxhash.New(), name, vals).Sum64()})
			continue
		}
		if out.header == nil {
			out.header = make(http.Header, len(f.names))
		}
		out.header[name] = vals
		hashHeader(all, name, vals)
	}
	if out.header != nil {
		out.hash = all.Sum64()
	}
	return out
}

func hashHeader(d *xxhash.Digest, name string, vals []string) *xxhash.Digest {
	_, _ = d.WriteString(name)
	for _, v := range vals {
		_, _ = d.WriteString("\x00")
		_, _ = d.WriteString(v)
	}
	_, _ = d.WriteString("\x01")
	return d
}

// subgraphHeaders implements resolve.SubgraphHeadersBuilder.
type subgraphHeaders struct {
	header     http.Header // headers for every subgraph
	hash       uint64
	restricted []restrictedHeader
}

// restrictedHeader is a header only some subgraphs receive.
type restrictedHeader struct {
	name      string
	values    []string
	subgraphs []string
	hash      uint64
}

// HeadersForSubgraph returns a copy of the headers forwarded to one
// subgraph and their hash. graphql-go-tools uses the returned map as the
// subgraph request's header and adds Accept and Content-Type to it, so
// every fetch needs its own: one shared map written by parallel fetches
// crashes the process.
func (s *subgraphHeaders) HeadersForSubgraph(name string) (http.Header, uint64) {
	h, hash := s.header, s.hash
	if h != nil {
		h = h.Clone()
	}
	for _, r := range s.restricted {
		if !slices.Contains(r.subgraphs, name) {
			continue
		}
		if h == nil {
			h = http.Header{}
		}
		h[r.name] = slices.Clone(r.values)
		hash = combineHashes(hash, r.hash)
	}
	return h, hash
}

// HashAll returns the hash of every forwarded header, for any subgraph.
func (s *subgraphHeaders) HashAll() uint64 {
	hash := s.hash
	for _, r := range s.restricted {
		hash = combineHashes(hash, r.hash)
	}
	return hash
}

// hashFor returns the hash of the headers that reach any of the given
// subgraphs (nil: any subgraph): requests whose differing headers go to
// none of the subgraphs an operation calls get the same answer and may
// share it.
func (s *subgraphHeaders) hashFor(subgraphs []string) uint64 {
	if subgraphs == nil {
		return s.HashAll()
	}
	hash := s.hash
	for _, r := range s.restricted {
		for _, sg := range subgraphs {
			if slices.Contains(r.subgraphs, sg) {
				hash = combineHashes(hash, r.hash)
				break
			}
		}
	}
	return hash
}

func combineHashes(a, b uint64) uint64 {
	return a ^ (b + 0x9e3779b97f4a7c15 + a<<6 + a>>2)
}

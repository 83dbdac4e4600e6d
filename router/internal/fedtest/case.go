package fedtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// Case is one federation feature situation: a few subgraphs with data, the
// supergraph Apollo's composition built from them, queries and goldens.
type Case struct {
	// Name is the case's directory under testdata/federation.
	Name string
	// Description says which federation feature the case exercises.
	Description string
	// Subgraphs lists the subgraph names; each SDL is <name>.graphql in the
	// case dir.
	Subgraphs []string
	// Resolvers builds fresh resolvers for every subgraph, keyed by name. It
	// is one function per case so subgraphs can share state (e.g. to make the
	// order of mutations across subgraphs observable).
	Resolvers func() map[string]Resolvers
	// Fetches bounds, per query name and subgraph name, how many requests that
	// subgraph may receive while the router answers the query. A bound of 0
	// means the subgraph must not be called at all (e.g. a @skip'd field).
	// Use CheckFetches to assert them.
	Fetches map[string]map[string]int
}

// Query is one operation of a case.
type Query struct {
	// Name is the file stem under queries/.
	Name string
	// Query is the operation text (queries/<Name>.graphql).
	Query string
	// OperationName is taken from queries/<Name>.operation.txt if present.
	OperationName string
	// Variables come from queries/<Name>.variables.json if present.
	Variables map[string]any
	// Headers come from queries/<Name>.headers.json if present.
	Headers map[string]string
}

// Dir returns the absolute path of router/testdata/federation. It is derived
// from this source file's location, so it works from any test's working dir.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "federation")
}

// Dir returns the case's directory.
func (c Case) Dir() string { return filepath.Join(Dir(), c.Name) }

// SupergraphPath returns the path of the composed supergraph. Its subgraph
// URLs are http://<subgraph>.invalid/graphql; see SupergraphWithURLs.
func (c Case) SupergraphPath() string { return filepath.Join(c.Dir(), "supergraph.graphql") }

// SubgraphSDL reads the SDL of the named subgraph.
func (c Case) SubgraphSDL(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir(), name+".graphql"))
	if err != nil {
		return "", fmt.Errorf("read sdl: %w", err)
	}
	return string(b), nil
}

// Queries loads the case's queries in name order.
func (c Case) Queries() ([]Query, error) {
	dir := filepath.Join(c.Dir(), "queries")
	matches, err := filepath.Glob(filepath.Join(dir, "*.graphql"))
	if err != nil {
		return nil, fmt.Errorf("list queries: %w", err)
	}
	sort.Strings(matches)
	var out []Query
	for _, m := range matches {
		name := strings.TrimSuffix(filepath.Base(m), ".graphql")
		text, err := os.ReadFile(m)
		if err != nil {
			return nil, fmt.Errorf("read query: %w", err)
		}
		q := Query{Name: name, Query: string(text)}
		if err := readOptionalJSON(filepath.Join(dir, name+".variables.json"), &q.Variables); err != nil {
			return nil, err
		}
		if err := readOptionalJSON(filepath.Join(dir, name+".headers.json"), &q.Headers); err != nil {
			return nil, err
		}
		if b, err := os.ReadFile(filepath.Join(dir, name+".operation.txt")); err == nil {
			q.OperationName = strings.TrimSpace(string(b))
		}
		out = append(out, q)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("case %s: no queries in %s", c.Name, dir)
	}
	return out, nil
}

func readOptionalJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	return nil
}

// LoadGolden returns the expected response of a query
// (queries/<name>.json), exactly as stored.
func LoadGolden(c Case, queryName string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir(), "queries", queryName+".json"))
	if err != nil {
		return nil, fmt.Errorf("load golden: %w", err)
	}
	return b, nil
}

// SupergraphWithURLs returns the case's supergraph with each subgraph's
// placeholder URL replaced by urls[name].
func SupergraphWithURLs(c Case, urls map[string]string) (string, error) {
	b, err := os.ReadFile(c.SupergraphPath())
	if err != nil {
		return "", fmt.Errorf("read supergraph: %w", err)
	}
	s := string(b)
	for name, u := range urls {
		s = strings.ReplaceAll(s, `"http://`+name+`.invalid/graphql"`, `"`+u+`"`)
	}
	return s, nil
}

// Deployment is a running set of subgraphs for one case.
type Deployment struct {
	// URLs maps subgraph name to its GraphQL endpoint.
	URLs map[string]string
	// Subgraphs maps subgraph name to the server's subgraph, for request
	// assertions.
	Subgraphs map[string]*Subgraph
	servers   []*http.Server
}

// Close stops every server of the deployment.
func (d *Deployment) Close() error {
	var errs []error
	for _, s := range d.servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// NewSubgraphs builds the case's subgraphs (SDL from disk, fresh resolvers).
func NewSubgraphs(c Case) (map[string]*Subgraph, error) {
	out := map[string]*Subgraph{}
	var all map[string]Resolvers
	if c.Resolvers != nil {
		all = c.Resolvers()
	}
	for _, name := range c.Subgraphs {
		sdl, err := c.SubgraphSDL(name)
		if err != nil {
			return nil, err
		}
		sg, err := NewSubgraph(name, sdl, all[name])
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.Name, err)
		}
		out[name] = sg
	}
	return out, nil
}

// Launch serves the case's subgraphs on the given listeners (one per
// subgraph name; missing ones get 127.0.0.1:0). Besides /graphql each server
// answers GET /requests (recorded requests as JSON) and POST /reset. The
// caller closes the deployment.
func Launch(c Case, listeners map[string]net.Listener) (*Deployment, error) {
	sgs, err := NewSubgraphs(c)
	if err != nil {
		return nil, err
	}
	d := &Deployment{URLs: map[string]string{}, Subgraphs: sgs}
	for _, name := range c.Subgraphs {
		ln := listeners[name]
		if ln == nil {
			ln, err = net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return nil, errors.Join(fmt.Errorf("listen: %w", err), d.Close())
			}
		}
		mux := http.NewServeMux()
		mux.Handle("/graphql", sgs[name])
		mux.HandleFunc("GET /requests", requestsHandler(sgs[name]))
		mux.HandleFunc("POST /reset", func(w http.ResponseWriter, _ *http.Request) {
			sgs[name].Reset()
			w.WriteHeader(http.StatusNoContent)
		})
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		d.servers = append(d.servers, srv)
		go srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed on Close
		d.URLs[name] = "http://" + ln.Addr().String() + "/graphql"
	}
	return d, nil
}

// requestsHandler lists a subgraph's recorded requests (query, variables,
// root fields) as JSON, so out-of-process tools such as oracle.mjs can check
// fetch bounds against another gateway.
func requestsHandler(sg *Subgraph) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		type entry struct {
			Query      string         `json:"query"`
			Variables  map[string]any `json:"variables,omitempty"`
			RootFields []string       `json:"rootFields"`
		}
		reqs := sg.Requests()
		out := make([]entry, len(reqs))
		for i, r := range reqs {
			out[i] = entry{Query: r.Query, Variables: r.Variables, RootFields: r.RootFields}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// Start serves the case's subgraphs on httptest servers for the duration of
// the test and returns name->URL and name->Subgraph.
func Start(t testing.TB, c Case) (map[string]string, map[string]*Subgraph) {
	t.Helper()
	sgs, err := NewSubgraphs(c)
	if err != nil {
		t.Fatalf("start case %s: %v", c.Name, err)
	}
	urls := map[string]string{}
	for name, sg := range sgs {
		mux := http.NewServeMux()
		mux.Handle("/graphql", sg)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		urls[name] = srv.URL + "/graphql"
	}
	return urls, sgs
}

// CheckFetches compares the requests each subgraph received with the case's
// Fetches bounds for the query. Call Reset on the subgraphs before the query.
func CheckFetches(c Case, queryName string, subgraphs map[string]*Subgraph) error {
	var errs []error
	for name, limit := range c.Fetches[queryName] {
		sg := subgraphs[name]
		if sg == nil {
			errs = append(errs, fmt.Errorf("fetch bound names unknown subgraph %s", name))
			continue
		}
		if n := len(sg.Requests()); n > limit {
			errs = append(errs, fmt.Errorf("subgraph %s received %d requests, at most %d allowed", name, n, limit))
		}
	}
	return errors.Join(errs...)
}

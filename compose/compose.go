// Package compose turns Apollo Federation subgraph schemas into an Apollo
// join-spec supergraph, so the project needs no outside tool to build or
// check its graph. Errors use Apollo's composition error codes.
package compose

import (
	"sort"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/shopsupergraph/shop/compose/hints"
	"github.com/shopsupergraph/shop/compose/merge"
	"github.com/shopsupergraph/shop/compose/satisfiability"
	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
)

// Source is one subgraph to compose: its name (as in join__Graph), the URL
// the router calls, and its SDL.
type Source struct {
	Name string
	URL  string
	SDL  string
}

// Compose validates every subgraph and composes them into supergraph SDL.
// On failure the error is a diag.List holding every problem found.
func Compose(sources []Source) (string, error) {
	sdl, _, err := ComposeWithHints(sources)
	return sdl, err
}

// ComposeWithHints is Compose that also returns the composition hints
// (see package hints) of a successful composition.
func ComposeWithHints(sources []Source) (string, diag.List, error) {
	sorted := append([]Source(nil), sources...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var errs diag.List
	subs := make([]*subgraph.Subgraph, 0, len(sorted))
	seen := map[string]bool{}
	for _, src := range sorted {
		// "_" is reserved by Apollo's composition.
		if src.Name == "" || src.Name == "_" || seen[src.Name] {
			errs.Add("INVALID_SUBGRAPH_NAME", src.Name, "", "subgraph names must be non-empty and unique, got "+quote(src.Name))
			continue
		}
		seen[src.Name] = true
		s, serrs := subgraph.Parse(src.Name, src.URL, src.SDL)
		errs = append(errs, serrs...)
		if s != nil {
			subs = append(subs, s)
		}
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	schema, merrs := merge.Compose(subs)
	if len(merrs) > 0 {
		return "", nil, merrs
	}
	if serrs := satisfiability.Validate(schema); len(serrs) > 0 {
		return "", nil, serrs
	}
	return supergraph.Print(schema), hints.Collect(subs), nil
}

func quote(s string) string { return supergraph.Str(s) }

package supergraph

import (
	"slices"
	"strconv"
	"strings"
)

// ParseWithOverrideLabels reads a supergraph with exactly the given
// progressive-override labels active: a field whose @join__field carries
// overrideLabel moves to the overriding subgraph when its label is in
// active, and stays with the original one otherwise. The router parses
// one such variant per set of labels it meets (see the engine's plan
// configurations).
func ParseWithOverrideLabels(sdl string, active []string) (*Supergraph, error) {
	labels := make(map[string]bool, len(active))
	for _, l := range active {
		labels[l] = true
	}
	return parse(sdl, labels)
}

// OverrideLabels returns the distinct overrideLabel values of the
// supergraph's @join__field applications, sorted.
func (s *Supergraph) OverrideLabels() []string {
	var out []string
	field := s.specs.dir("field")
	for _, name := range s.order {
		for _, fd := range s.defs[name].Fields {
			for _, app := range fd.Directives.ForNames(field) {
				if l := argString(app, "overrideLabel"); l != "" && !slices.Contains(out, l) {
					out = append(out, l)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// PercentLabel reads a "percent(N)" label: the share of requests (0-100)
// for which it is active.
func PercentLabel(label string) (float64, bool) {
	rest, ok := strings.CutPrefix(label, "percent(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return 0, false
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(rest, ")"), 64)
	if err != nil || n < 0 || n > 100 {
		return 0, false
	}
	return n, true
}

// labelActive tells whether a progressive-override label is active in
// this variant of the supergraph. Without an explicit set (Parse) the
// label is decided once for the whole variant: "percent(N)" is active
// from 50 up, any other label is off.
func (s *Supergraph) labelActive(label string) bool {
	if s.labels != nil {
		return s.labels[label]
	}
	n, ok := PercentLabel(label)
	return ok && n >= 50
}

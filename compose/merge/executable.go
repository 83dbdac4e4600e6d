package merge

import (
	"slices"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// executableLocations are the directive locations of operations (as
// opposed to the schema): directives used there are the client's business,
// so the supergraph keeps them when every subgraph accepts them.
var executableLocations = map[ast.DirectiveLocation]bool{
	ast.LocationQuery: true, ast.LocationMutation: true, ast.LocationSubscription: true,
	ast.LocationField: true, ast.LocationFragmentDefinition: true, ast.LocationFragmentSpread: true,
	ast.LocationInlineFragment: true, ast.LocationVariableDefinition: true,
}

// ExecutableLocations returns a directive definition's executable
// locations, sorted by name as Apollo compares them.
func ExecutableLocations(d *ast.DirectiveDefinition) []ast.DirectiveLocation {
	var out []ast.DirectiveLocation
	for _, l := range d.Locations {
		if executableLocations[l] {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// mergeExecutableDirectives adds the custom executable directives every
// subgraph defines: repeatable only when all say so, on the locations they
// share (none shared: dropped), with the arguments of all of them.
func (m *merger) mergeExecutableDirectives() {
	var names []string
	for _, s := range m.subs {
		for name, d := range s.Directives {
			if len(ExecutableLocations(d)) > 0 && !slices.Contains(names, name) && m.composed[name] == nil {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		var defs []*ast.DirectiveDefinition
		for _, s := range m.subs {
			if d := s.Directives[name]; d != nil && len(ExecutableLocations(d)) > 0 {
				defs = append(defs, d)
			}
		}
		if len(defs) != len(m.subs) {
			continue
		}
		out := &ast.DirectiveDefinition{Name: name, IsRepeatable: true, Locations: ExecutableLocations(defs[0])}
		var descs []string
		for _, d := range defs {
			out.IsRepeatable = out.IsRepeatable && d.IsRepeatable
			locs := ExecutableLocations(d)
			out.Locations = slices.DeleteFunc(out.Locations, func(l ast.DirectiveLocation) bool { return !slices.Contains(locs, l) })
			descs = append(descs, d.Description)
			for _, a := range d.Arguments {
				if out.Arguments.ForName(a.Name) == nil {
					out.Arguments = append(out.Arguments, &ast.ArgumentDefinition{Name: a.Name, Type: a.Type, DefaultValue: a.DefaultValue})
				}
			}
		}
		if len(out.Locations) == 0 {
			continue
		}
		out.Description = mergeDescriptions(descs)
		m.out.DirectiveDefs = append(m.out.DirectiveDefs, out)
	}
}

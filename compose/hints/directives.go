package hints

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// mergedByStrategy are the directives whose arguments composition merges
// (access control requirements are combined) rather than picks.
var mergedByStrategy = map[string]string{"requiresScopes": "scopes", "policy": "policies"}

// costStrategies are how composition merges the demand-control directives'
// arguments, as Apollo's hint spells them.
var costStrategies = map[string]string{
	"cost":     `{ "weight": MAX }`,
	"listSize": `{ "assumedSize": NULLABLE_MAX, "slicingArguments": NULLABLE_UNION, "sizedFields": NULLABLE_UNION, "requireOneSlicingArgument": NULLABLE_AND }`,
}

// costCanonical returns the demand-control directive a subgraph applies
// under name ("" when name is not one).
func costCanonical(s *subgraph.Subgraph, name string) string {
	for canon, applied := range s.Cost {
		if applied == name {
			return canon
		}
	}
	return ""
}

// application is one subgraph's use of a directive on an element.
type application struct {
	sub  string
	args string
}

// directiveArguments hints on a non-repeatable directive applied to the
// same element by several subgraphs with different arguments: access
// control ones are merged, others resolved by picking one application.
func (c *collector) directiveArguments(coord string, applied []occurrence[ast.DirectiveList]) {
	byName := map[string][]application{}
	canonical := map[string]string{}
	var names []string
	for _, o := range applied {
		seen := map[string]bool{}
		for _, d := range o.elem {
			if seen[d.Name] || !reachesSupergraph(o.sub, d.Name) {
				continue
			}
			seen[d.Name] = true
			if c := costCanonical(o.sub, d.Name); c != "" {
				canonical[d.Name] = c
			}
			if _, ok := byName[d.Name]; !ok {
				names = append(names, d.Name)
			}
			args := printArgs(d)
			if canonical[d.Name] == "listSize" {
				args = listSizeArgs(d)
			}
			byName[d.Name] = append(byName[d.Name], application{o.sub.Name, args})
		}
	}
	for _, name := range names {
		apps := byName[name]
		differ := false
		for _, a := range apps[1:] {
			differ = differ || a.args != apps[0].args
		}
		if !differ {
			continue
		}
		if strategies, ok := costStrategies[canonical[name]]; ok {
			c.add("MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS", coord, fmt.Sprintf("Directive @%s is applied to %q in multiple subgraphs with different arguments. Merging strategies used by arguments: %s", name, coord, strategies))
			continue
		}
		if arg, ok := mergedByStrategy[name]; ok {
			c.add("MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS", coord, fmt.Sprintf("Directive @%s is applied to %q in multiple subgraphs with different arguments. Merging strategies used by arguments: { %q: DNF_CONJUNCTION }", name, coord, arg))
			continue
		}
		c.add("INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS", coord, fmt.Sprintf("Non-repeatable directive @%s is applied to %q in multiple subgraphs but with incompatible arguments.", name, coord))
	}
}

// reachesSupergraph tells the non-repeatable directives composition
// merges: @deprecated, @specifiedBy, the access-control ones with
// arguments, and composed custom directives that are not repeatable.
func reachesSupergraph(s *subgraph.Subgraph, name string) bool {
	switch name {
	case "deprecated", "specifiedBy", "requiresScopes", "policy":
		return true
	case "tag", "inaccessible", "authenticated":
		return false
	}
	if costCanonical(s, name) != "" {
		return true
	}
	def := s.Directives[name]
	return def != nil && !def.IsRepeatable && slices.Contains(s.Composed, name)
}

func printArgs(d *ast.Directive) string {
	parts := make([]string, len(d.Arguments))
	for i, a := range d.Arguments {
		parts[i] = a.Name + ": " + supergraph.ValueString(a.Value)
	}
	return strings.Join(parts, ", ")
}

// inheritedAccess hints on interfaces (and their fields) that receive
// access-control requirements from implementations that disagree: the
// supergraph combines them, as for one element applied in several
// subgraphs.
func (c *collector) inheritedAccess(types map[string][]occurrence[*subgraph.Type], order []string) {
	impls := map[string][]string{}
	for _, tn := range order {
		for _, o := range types[tn] {
			if o.elem.Kind != ast.Object {
				continue
			}
			for _, i := range o.elem.Interfaces {
				if !slices.Contains(impls[i], tn) {
					impls[i] = append(impls[i], tn)
				}
			}
		}
	}
	// requirement returns, for one implementation (or one of its fields),
	// the distinct arguments of a directive across subgraphs.
	requirement := func(tn, field, name string) string {
		var vals []string
		for _, o := range types[tn] {
			list := o.elem.Applied
			if field != "" {
				f := o.elem.Field(field)
				if f == nil {
					continue
				}
				list = f.Applied
			}
			if d := list.ForName(name); d != nil && !slices.Contains(vals, printArgs(d)) {
				vals = append(vals, printArgs(d))
			}
		}
		slices.Sort(vals)
		return strings.Join(vals, " & ")
	}
	check := func(coord, itf, field string) {
		for _, name := range []string{"policy", "requiresScopes"} {
			arg := mergedByStrategy[name]
			var seen []string
			for _, tn := range impls[itf] {
				if r := requirement(tn, field, name); r != "" && !slices.Contains(seen, r) {
					seen = append(seen, r)
				}
			}
			if len(seen) > 1 {
				c.add("MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS", coord, fmt.Sprintf("Directive @%s is applied to %q in multiple subgraphs with different arguments. Merging strategies used by arguments: { %q: DNF_CONJUNCTION }", name, coord, arg))
			}
		}
	}
	for _, tn := range order {
		occ := types[tn]
		if occ[0].elem.Kind != ast.Interface {
			continue
		}
		check(tn, tn, "")
		for _, f := range fieldsOf(occ) {
			check(tn+"."+f, tn, f)
		}
	}
}

// listSizeArgs prints @listSize's arguments with the spec's default
// (requireOneSlicingArgument: true) filled in, in a fixed order: two
// applications that differ only by writing the default are the same.
func listSizeArgs(d *ast.Directive) string {
	vals := map[string]string{"requireOneSlicingArgument": "true"}
	for _, a := range d.Arguments {
		vals[a.Name] = supergraph.ValueString(a.Value)
	}
	var parts []string
	for _, name := range []string{"assumedSize", "slicingArguments", "sizedFields", "requireOneSlicingArgument"} {
		if v, ok := vals[name]; ok {
			parts = append(parts, name+": "+v)
		}
	}
	return strings.Join(parts, ", ")
}

package merge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// The demand-control directives (@cost, @listSize) merge as Apollo merges
// them: applications that are equal once defaults are filled in collapse to
// the first one as written; different ones combine argument by argument,
// keeping the most expensive reading: the largest weight and assumed size,
// the union of slicing arguments and sized fields, and
// requireOneSlicingArgument only when every subgraph requires it.

// costArgOrder is each directive's argument order in its definition, the
// order in which merged arguments are printed.
var costArgOrder = map[string][]string{
	"cost":     {"weight"},
	"listSize": {"assumedSize", "slicingArguments", "sizedFields", "requireOneSlicingArgument"},
}

// costDefaults are the argument defaults of the definitions.
var costDefaults = map[string]map[string]string{"listSize": {"requireOneSlicingArgument": "true"}}

// withDefaults returns the application's arguments, printed, with the
// definition's defaults filled in.
func withDefaults(d *ast.Directive) map[string]string {
	out := map[string]string{}
	for k, v := range costDefaults[d.Name] {
		out[k] = v
	}
	for _, a := range d.Arguments {
		out[a.Name] = supergraph.ValueString(a.Value)
	}
	return out
}

// mergeCost merges the applications of @cost or @listSize found in lists
// (one list per source element, in source order).
func (m *merger) mergeCost(name string, lists []ast.DirectiveList) (supergraph.Directive, bool) {
	var distinct []*ast.Directive
	seen := map[string]bool{}
	for _, list := range lists {
		d := list.ForName(name)
		if d == nil {
			continue
		}
		args := withDefaults(d)
		var key strings.Builder
		for _, a := range costArgOrder[name] {
			fmt.Fprintf(&key, "%s=%s;", a, args[a])
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			distinct = append(distinct, d)
		}
	}
	switch len(distinct) {
	case 0:
		return supergraph.Directive{}, false
	case 1:
		return supergraph.FromAST(distinct[0]), true
	}
	out := supergraph.Directive{Name: name}
	for _, arg := range costArgOrder[name] {
		var values []*ast.Value
		for _, d := range distinct {
			if a := d.Arguments.ForName(arg); a != nil && a.Value != nil && a.Value.Kind != ast.NullValue {
				values = append(values, a.Value)
			} else if def, ok := costDefaults[name][arg]; ok {
				values = append(values, &ast.Value{Kind: ast.BooleanValue, Raw: def})
			}
		}
		if len(values) == 0 {
			continue
		}
		out.Args = append(out.Args, supergraph.DirArg{Name: arg, Value: mergeCostValues(values)})
	}
	return out, true
}

// mergeCostValues combines the non-null values of one argument: the
// maximum of integers, the conjunction of booleans, the union of lists (in
// order of first appearance).
func mergeCostValues(values []*ast.Value) string {
	switch values[0].Kind {
	case ast.IntValue:
		best := int64(0)
		for i, v := range values {
			n, _ := strconv.ParseInt(v.Raw, 10, 64)
			if i == 0 || n > best {
				best = n
			}
		}
		return strconv.FormatInt(best, 10)
	case ast.BooleanValue:
		for _, v := range values {
			if v.Raw != "true" {
				return "false"
			}
		}
		return "true"
	}
	var union []string
	for _, v := range values {
		for _, c := range v.Children {
			if !containsStr(union, c.Value.Raw) {
				union = append(union, c.Value.Raw)
			}
		}
	}
	parts := make([]string, len(union))
	for i, s := range union {
		parts[i] = supergraph.Str(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// costLink adds the demand-control definitions to the supergraph and
// returns the cost feature's @link. Each directive keeps the name the
// subgraphs apply it under (they must agree); an unused @listSize is
// defined under the feature's namespace, as Apollo does.
func (m *merger) costLink() supergraph.Link {
	l := supergraph.Link{URL: supergraph.CostSpecURL}
	costName, listName := m.costName("cost"), m.costName("listSize")
	costDef, listDef := "cost", "cost__listSize"
	if costName != "" && costName != "cost" {
		l.Imports = append(l.Imports, supergraph.Import{Name: "@cost", As: "@" + costName})
		costDef = costName
		m.renameApplied("cost", costName)
	}
	switch {
	case listName == "listSize":
		l.Imports = append(l.Imports, supergraph.Import{Name: "@listSize"})
		listDef = listName
	case listName != "":
		l.Imports = append(l.Imports, supergraph.Import{Name: "@listSize", As: "@" + listName})
		listDef = listName
		m.renameApplied("listSize", listName)
	}
	m.addDirectiveDef(strings.Replace(supergraph.CostDirective, "directive @cost", "directive @"+costDef, 1))
	m.addDirectiveDef(strings.Replace(supergraph.ListSizeDirective, "directive @listSize", "directive @"+listDef, 1))
	return l
}

// costName is the name the subgraphs apply a demand-control directive
// under, or "" when none applies it; subgraphs that disagree are reported.
func (m *merger) costName(f string) string {
	name, first := "", ""
	for _, s := range m.subs {
		n, ok := s.Cost[f]
		switch {
		case !ok:
		case name == "":
			name, first = n, s.Name
		case n != name:
			m.errs.Add("LINK_IMPORT_NAME_MISMATCH", s.Name, "@"+f, fmt.Sprintf(
				"The \"@%s\" directive is imported with mismatched name between subgraphs: it is imported as \"@%s\" in subgraph %q but \"@%s\" in subgraph %q",
				f, n, s.Name, name, first))
			return name
		}
	}
	return name
}

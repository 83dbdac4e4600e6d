package satisfiability

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/vektah/gqlparser/v2/ast"
)

// sharedRuntimeTypes reports shareable fields returning an interface or a
// union whose possible runtime types, in the subgraphs that resolve the
// field, have nothing in common: the subgraphs cannot be returning the same
// thing, so no plan can pick either.
func (g *graph) sharedRuntimeTypes() diag.List {
	var errs diag.List
	names := make([]string, 0, len(g.types))
	for n := range g.types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, tn := range names {
		ti := g.types[tn]
		if ti.def.Kind != ast.Object {
			continue
		}
		for _, f := range ti.def.Fields {
			rt := g.types[namedType(f.Type)]
			if rt == nil || (rt.def.Kind != ast.Interface && rt.def.Kind != ast.Union) {
				continue
			}
			var serving []int
			for gi := range g.names {
				if src := g.source(tn, f.Name, gi); src != nil && !src.external && !src.overridden {
					serving = append(serving, gi)
				}
			}
			if len(serving) < 2 {
				continue
			}
			var common []string
			per := make([]string, 0, len(serving))
			for i, gi := range serving {
				types := g.runtimeTypesIn(rt, gi)
				if i == 0 {
					common = types
				} else {
					common = slices.DeleteFunc(common, func(t string) bool { return !slices.Contains(types, t) })
				}
				per = append(per, fmt.Sprintf(" - in subgraph %q, type %s", g.names[gi], strings.Join(quoteAll(types), ", ")))
			}
			if len(common) == 0 {
				coord := tn + "." + f.Name
				errs.Add("SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES", "", coord, fmt.Sprintf("Shared field %q return type %q has a non-intersecting set of possible runtime types across subgraphs. Runtime types in subgraphs are:\n%s.\nThis is not allowed as shared fields must resolve the same way in all subgraphs, and that implies at least some common runtime types between the subgraphs.", coord, f.Type, strings.Join(per, ";\n")))
			}
		}
	}
	return errs
}

// runtimeTypesIn lists the object types subgraph gi may return for an
// abstract type.
func (g *graph) runtimeTypesIn(rt *typeInfo, gi int) []string {
	var out []string
	if rt.def.Kind == ast.Union {
		for m := range rt.members[gi] {
			out = append(out, m)
		}
	} else {
		for _, o := range g.implementations[rt.def.Name] {
			if ot := g.types[o]; ot != nil && ot.in[gi] && ot.implements[gi][rt.def.Name] {
				out = append(out, o)
			}
		}
	}
	sort.Strings(out)
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

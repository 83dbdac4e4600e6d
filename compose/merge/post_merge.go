package merge

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// checkInterfaceFieldsImplemented reports a type that implements an
// interface in the supergraph but, after merging, lacks one of its fields:
// typically the interface gained the field in a subgraph where the type
// does not implement it.
func (m *merger) checkInterfaceFieldsImplemented() {
	byName := map[string]*supergraph.Type{}
	for _, t := range m.out.Types {
		byName[t.Name] = t
	}
	for _, t := range m.out.Types {
		if t.Kind != ast.Object && t.Kind != ast.Interface {
			continue
		}
		for _, i := range t.Interfaces {
			it := byName[i]
			if it == nil {
				continue
			}
			for _, f := range it.Fields {
				if t.Field(f.Name) != nil {
					continue
				}
				var declaring []string
				for _, s := range m.subs {
					if st := s.Types[i]; st != nil && st.Kind == ast.Interface && st.Field(f.Name) != nil {
						declaring = append(declaring, s.Name)
					}
				}
				coord := i + "." + f.Name
				m.errs.Add("INTERFACE_FIELD_NO_IMPLEM", "", coord, fmt.Sprintf("Interface field %q is declared in %s but type %q, which implements %q in the supergraph, does not have field %q.", coord, subgraphList(declaring), t.Name, i, f.Name))
			}
		}
	}
}

// validateExternalArgs compares the arguments of @external declarations
// with the merged field's: an external field must take the arguments the
// field really has, with the same types and defaults, or the @requires or
// @provides using it would send a different query.
func (m *merger) validateExternalArgs(coord string, merged []*supergraph.Arg, fsrc []*subgraph.Field) {
	for i, f := range fsrc {
		if f == nil || !f.IsExternal() {
			continue
		}
		for _, a := range merged {
			acoord := coord + "(" + a.Name + ":)"
			ea := f.Def.Arguments.ForName(a.Name)
			switch {
			case ea == nil:
				m.errs.Add("EXTERNAL_ARGUMENT_MISSING", m.subs[i].Name, acoord, fmt.Sprintf("Field %q is missing argument %q in some subgraphs where it is marked @external: argument %q is declared in some subgraphs but not in %s (where %q is @external).", coord, acoord, acoord, subgraphList([]string{m.subs[i].Name}), coord))
			case ea.Type.String() != a.Type:
				m.errs.Add("EXTERNAL_ARGUMENT_TYPE_MISMATCH", m.subs[i].Name, acoord, fmt.Sprintf("Type of argument %q is incompatible across subgraphs (where %q is marked @external): it has type %q in subgraph %q.", acoord, coord, ea.Type.String(), m.subs[i].Name))
			case defaultString(ea.DefaultValue) != defaultString(a.Default):
				m.errs.Add("EXTERNAL_ARGUMENT_DEFAULT_MISMATCH", m.subs[i].Name, acoord, fmt.Sprintf("Argument %q has incompatible defaults across subgraphs (where %q is marked @external): it has default %s in subgraph %q.", acoord, coord, defaultString(ea.DefaultValue), m.subs[i].Name))
			}
		}
	}
}

func defaultString(v *ast.Value) string {
	if v == nil {
		return "none"
	}
	return strings.TrimSpace(supergraph.ValueString(v))
}

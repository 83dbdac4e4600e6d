package merge

import (
	"fmt"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// mergeUnion takes the union of members, with one join__unionMember per
// subgraph that lists a member.
func (m *merger) mergeUnion(dest *supergraph.Type, srcs []*subgraph.Type) {
	for _, t := range srcs {
		if t == nil {
			continue
		}
		for _, mem := range t.Members {
			if !contains(dest.Members, mem) {
				dest.Members = append(dest.Members, mem)
			}
		}
	}
	for _, mem := range dest.Members {
		for i, t := range srcs {
			if t != nil && t.HasMember(mem) {
				dest.Directives = append(dest.Directives, supergraph.Directive{Name: "join__unionMember", Args: []supergraph.DirArg{
					{Name: "graph", Value: m.graphs[i]}, {Name: "member", Value: supergraph.Str(mem)},
				}})
			}
		}
	}
}

// mergeEnum merges values by usage: union for output-only enums,
// intersection for input-only ones, and an exact match when used both ways.
func (m *merger) mergeEnum(dest *supergraph.Type, srcs []*subgraph.Type) {
	use := m.enumUse[dest.Name]
	if use == nil {
		use = &enumUsage{position: "Output", examples: map[string]string{}}
	}
	var names []string
	for _, t := range srcs {
		if t == nil {
			continue
		}
		for _, v := range t.Values {
			if !contains(names, v.Def.Name) {
				names = append(names, v.Def.Name)
			}
		}
	}
	for _, name := range names {
		v := &supergraph.Value{Name: name}
		var descs []string
		var applied []ast.DirectiveList
		var defining, missing []string
		for i, t := range srcs {
			if t == nil {
				continue
			}
			ev := t.Value(name)
			if ev == nil {
				missing = append(missing, m.subs[i].Name)
				continue
			}
			defining = append(defining, m.subs[i].Name)
			descs = append(descs, ev.Def.Description)
			applied = append(applied, ev.Applied)
			v.Directives = append(v.Directives, supergraph.Directive{Name: "join__enumValue", Args: []supergraph.DirArg{{Name: "graph", Value: m.graphs[i]}}})
		}
		v.Description = mergeDescriptions(descs)
		// Apollo prints @inaccessible ahead of the join directives here.
		joins := v.Directives
		v.Directives = nil
		rest := m.mergeApplied(applied)
		for _, d := range rest {
			if d.Name == "inaccessible" {
				v.Directives = append(v.Directives, d)
			}
		}
		v.Directives = append(v.Directives, joins...)
		for _, d := range rest {
			if d.Name != "inaccessible" {
				v.Directives = append(v.Directives, d)
			}
		}
		inaccessible := false
		for _, d := range v.Directives {
			if d.Name == "inaccessible" {
				inaccessible = true
			}
		}
		if !inaccessible && use.position != "Output" && len(missing) > 0 {
			if use.position == "Both" {
				m.errs.Add("ENUM_VALUE_MISMATCH", "", dest.Name+"."+name, fmt.Sprintf(
					"Enum type %q is used as both input type (for example, as type of %q) and output type (for example, as type of %q), but value %q is not defined in all the subgraphs defining %q: %q is defined in %s but not in %s",
					dest.Name, use.examples["Input"], use.examples["Output"], name, dest.Name, name, subgraphList(defining), subgraphList(missing)))
			}
			continue
		}
		dest.Values = append(dest.Values, v)
	}
	if len(dest.Values) == 0 {
		m.errs.Add("EMPTY_MERGED_ENUM_TYPE", "", dest.Name, fmt.Sprintf("None of the values of enum type %q are defined consistently in all the subgraphs defining that type. As only values common to all subgraphs are merged, this would result in an empty type.", dest.Name))
	}
}

// mergeInput keeps the fields every subgraph defines (intersection); a
// required field missing somewhere is an error.
func (m *merger) mergeInput(dest *supergraph.Type, srcs []*subgraph.Type) {
	var names []string
	for _, t := range srcs {
		if t == nil {
			continue
		}
		for _, f := range t.Fields {
			if !contains(names, f.Def.Name) {
				names = append(names, f.Def.Name)
			}
		}
	}
	for _, name := range names {
		coord := dest.Name + "." + name
		out := &supergraph.Field{Name: name}
		types := make([]*ast.Type, len(srcs))
		defs := make([]*ast.Value, len(srcs))
		present := make([]bool, len(srcs))
		var descs []string
		var applied []ast.DirectiveList
		var missing, required []string
		for i, t := range srcs {
			if t == nil {
				continue
			}
			f := t.Field(name)
			if f == nil {
				missing = append(missing, m.subs[i].Name)
				continue
			}
			if isRequired(f.Def.Type, f.Def.DefaultValue) {
				required = append(required, m.subs[i].Name)
			}
			types[i], defs[i], present[i] = f.Def.Type, f.Def.DefaultValue, true
			descs = append(descs, f.Def.Description)
			applied = append(applied, f.Applied)
		}
		out.Description = mergeDescriptions(descs)
		merged, allEqual := m.mergeTypeRef(coord, "field", types, true)
		out.Type = merged.String()
		out.Default = m.mergeDefault(coord, "Input field", "INPUT_FIELD_DEFAULT_MISMATCH", defs, present)
		if !allEqual {
			for i, t := range types {
				if t != nil {
					out.Directives = append(out.Directives, supergraph.Directive{Name: "join__field", Args: []supergraph.DirArg{
						{Name: "graph", Value: m.graphs[i]}, {Name: "type", Value: supergraph.Str(t.String())},
					}})
				}
			}
		}
		out.Directives = append(out.Directives, m.mergeApplied(applied)...)
		inaccessible := false
		for _, d := range out.Directives {
			if d.Name == "inaccessible" {
				inaccessible = true
			}
		}
		if len(missing) > 0 && !inaccessible {
			if len(required) > 0 {
				m.errs.Add("REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH", "", coord, fmt.Sprintf("Input object field %q is required in some subgraphs but does not appear in all subgraphs: it is required in %s but does not appear in %s", coord, subgraphList(required), subgraphList(missing)))
			}
			continue
		}
		dest.Fields = append(dest.Fields, out)
	}
	if len(dest.Fields) == 0 {
		m.errs.Add("EMPTY_MERGED_INPUT_TYPE", "", dest.Name, fmt.Sprintf("None of the fields of input object type %q are consistently defined in all the subgraphs defining that type. As only fields common to all subgraphs are merged, this would result in an empty type.", dest.Name))
	}
}

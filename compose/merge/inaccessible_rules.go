package merge

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// checkOnlyInaccessibleChildren reports types that stay in the API schema
// while every one of their fields (or enum values) is @inaccessible: the
// API schema would hold an empty type, which GraphQL does not allow.
func (m *merger) checkOnlyInaccessibleChildren() {
	for _, t := range m.out.Types {
		if hasDirective(t.Directives, "inaccessible") {
			continue
		}
		var children, hidden int
		switch t.Kind {
		case ast.Object, ast.Interface, ast.InputObject:
			for _, f := range t.Fields {
				children++
				if hasDirective(f.Directives, "inaccessible") {
					hidden++
				}
			}
		case ast.Enum:
			for _, v := range t.Values {
				children++
				if hasDirective(v.Directives, "inaccessible") {
					hidden++
				}
			}
		default:
			continue
		}
		if children > 0 && hidden == children {
			what := "fields"
			if t.Kind == ast.Enum {
				what = "values"
			}
			m.errs.Add("ONLY_INACCESSIBLE_CHILDREN", "", t.Name, fmt.Sprintf("Type %q is in the API schema but all of its %s are @inaccessible.", t.Name, what))
		}
	}
}

// checkInaccessibleRules reports the other ways @inaccessible can break the
// API schema: a hidden query root, a hidden argument or input field that
// clients must provide, a default value naming a hidden enum value, and a
// hidden field implementing a visible interface field.
func (m *merger) checkInaccessibleRules() {
	hidden := func(ds []supergraph.Directive) bool { return hasDirective(ds, "inaccessible") }
	byName := map[string]*supergraph.Type{}
	for _, t := range m.out.Types {
		byName[t.Name] = t
	}
	hiddenValue := func(typeRef string, v *ast.Value) string {
		et := byName[strings.Trim(typeRef, "[]!")]
		if et == nil || et.Kind != ast.Enum || v == nil {
			return ""
		}
		var walk func(v *ast.Value) string
		walk = func(v *ast.Value) string {
			if v.Kind == ast.EnumValue {
				for _, ev := range et.Values {
					if ev.Name == v.Raw && hidden(ev.Directives) {
						return ev.Name
					}
				}
			}
			for _, c := range v.Children {
				if r := walk(c.Value); r != "" {
					return r
				}
			}
			return ""
		}
		return walk(v)
	}
	for _, t := range m.out.Types {
		if t.Name == "Query" && hidden(t.Directives) {
			m.errs.Add("QUERY_ROOT_TYPE_INACCESSIBLE", "", t.Name, `Type "Query" is @inaccessible but is the query root type, which must be in the API schema.`)
		}
		if hidden(t.Directives) {
			continue
		}
		for _, f := range t.Fields {
			coord := t.Name + "." + f.Name
			if t.Kind == ast.InputObject {
				if hidden(f.Directives) && strings.HasSuffix(f.Type, "!") && f.Default == nil {
					m.errs.Add("REQUIRED_INACCESSIBLE", "", coord, fmt.Sprintf("Input field %q is @inaccessible but is a required input field of its type.", coord))
				}
				if v := hiddenValue(f.Type, f.Default); v != "" && !hidden(f.Directives) {
					m.errs.Add("DEFAULT_VALUE_USES_INACCESSIBLE", "", coord, fmt.Sprintf("Enum value %q is @inaccessible but is used in the default value of %q, which is in the API schema.", v, coord))
				}
				continue
			}
			if hidden(f.Directives) {
				for _, i := range t.Interfaces {
					it := byName[i]
					if it == nil || hidden(it.Directives) {
						continue
					}
					if itf := it.Field(f.Name); itf != nil && !hidden(itf.Directives) {
						m.errs.Add("IMPLEMENTED_BY_INACCESSIBLE", "", coord, fmt.Sprintf("Field %q is @inaccessible but implements the interface field %q, which is in the API schema.", coord, i+"."+f.Name))
					}
				}
				continue
			}
			for _, a := range f.Args {
				acoord := coord + "(" + a.Name + ":)"
				if hidden(a.Directives) && strings.HasSuffix(a.Type, "!") && a.Default == nil {
					m.errs.Add("REQUIRED_INACCESSIBLE", "", acoord, fmt.Sprintf("Argument %q is @inaccessible but is a required argument of its field.", acoord))
				}
				if v := hiddenValue(a.Type, a.Default); v != "" && !hidden(a.Directives) {
					m.errs.Add("DEFAULT_VALUE_USES_INACCESSIBLE", "", acoord, fmt.Sprintf("Enum value %q is @inaccessible but is used in the default value of %q, which is in the API schema.", v, acoord))
				}
			}
		}
	}
}

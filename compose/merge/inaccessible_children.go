package merge

import (
	"fmt"

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

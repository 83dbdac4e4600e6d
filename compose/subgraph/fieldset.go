package subgraph

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Selection is one element of a parsed field set (@key, @requires,
// @provides): a field with its sub-selection, or an inline fragment when
// TypeCondition is set.
type Selection struct {
	Name          string
	TypeCondition string
	HasArgs       bool
	Sub           []Selection
}

// ParseFieldSet parses a federation field set such as "id sku { code }".
func ParseFieldSet(fields string) ([]Selection, error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: "{" + fields + "}"})
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "input:") {
			msg = msg[i+2:]
		}
		return nil, fmt.Errorf("Syntax Error: %s", msg) //nolint:staticcheck // the text matches Apollo composition's message
	}
	if len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		return nil, errors.New("Syntax Error: invalid field set") //nolint:staticcheck // the text matches Apollo composition's message
	}
	return convertSelections(doc.Operations[0].SelectionSet), nil
}

func convertSelections(set ast.SelectionSet) []Selection {
	var out []Selection
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, Selection{Name: s.Name, HasArgs: len(s.Arguments) > 0, Sub: convertSelections(s.SelectionSet)})
		case *ast.InlineFragment:
			out = append(out, Selection{TypeCondition: s.TypeCondition, Sub: convertSelections(s.SelectionSet)})
		}
	}
	return out
}

// target is one field a field set selects.
type target struct {
	parent *Type
	field  *Field
}

// fieldSetError is a problem in a field set, with the code suffix Apollo uses
// (INVALID_FIELDS, FIELDS_HAS_ARGS, FIELDS_SELECT_INVALID_TYPE).
type fieldSetError struct {
	suffix string
	msg    string
}

// fieldSetKind tells which directive a field set belongs to: their rules
// differ (only @requires may select fields with arguments; only @key
// refuses abstract types).
type fieldSetKind int

const (
	keySet fieldSetKind = iota
	requiresSet
	providesSet
)

// walkFieldSet resolves a field set against a type, returning the selected
// fields and any problems.
func walkFieldSet(s *Subgraph, t *Type, sels []Selection, kind fieldSetKind) ([]target, []fieldSetError) {
	isKey := kind == keySet
	var out []target
	var errs []fieldSetError
	for _, sel := range sels {
		if sel.TypeCondition != "" {
			ct := s.Types[sel.TypeCondition]
			if ct == nil {
				errs = append(errs, fieldSetError{"INVALID_FIELDS", fmt.Sprintf("Unknown type %q", sel.TypeCondition)})
				continue
			}
			o, e := walkFieldSet(s, ct, sel.Sub, kind)
			out, errs = append(out, o...), append(errs, e...)
			continue
		}
		if sel.Name == "__typename" {
			continue
		}
		f := t.Field(sel.Name)
		if f == nil || t.Kind == ast.Union {
			errs = append(errs, fieldSetError{"INVALID_FIELDS", fmt.Sprintf("Cannot query field %q on type %q", sel.Name, t.Name)})
			continue
		}
		out = append(out, target{parent: t, field: f})
		coord := t.Name + "." + sel.Name
		if kind != requiresSet && len(f.Def.Arguments) > 0 {
			errs = append(errs, fieldSetError{"FIELDS_HAS_ARGS", fmt.Sprintf("field %q cannot be included because it has arguments", coord)})
		}
		ft := s.Types[f.Def.Type.Name()]
		if isKey && ft != nil && (ft.Kind == ast.Union || ft.Kind == ast.Interface) {
			kind := "an Interface"
			if ft.Kind == ast.Union {
				kind = "a Union"
			}
			errs = append(errs, fieldSetError{"FIELDS_SELECT_INVALID_TYPE", fmt.Sprintf("field %q is %s type which is not allowed in @key", coord, kind)})
			continue
		}
		composite := ft != nil && (ft.Kind == ast.Object || ft.Kind == ast.Interface || ft.Kind == ast.Union)
		switch {
		case composite && len(sel.Sub) == 0:
			errs = append(errs, fieldSetError{"INVALID_FIELDS", fmt.Sprintf("Invalid empty selection set for field %q of non-leaf type %s", coord, f.Def.Type.String())})
		case !composite && len(sel.Sub) > 0:
			errs = append(errs, fieldSetError{"INVALID_FIELDS", fmt.Sprintf("Field %q must not have a selection since type %q has no subfields.", coord, f.Def.Type.String())})
		case composite:
			o, e := walkFieldSet(s, ft, sel.Sub, kind)
			out, errs = append(out, o...), append(errs, e...)
		}
	}
	return out, errs
}

// PrintFieldSet renders selections back to field set syntax.
func PrintFieldSet(sels []Selection) string {
	parts := make([]string, len(sels))
	for i, sel := range sels {
		s := sel.Name
		if sel.TypeCondition != "" {
			s = "... on " + sel.TypeCondition
		}
		if len(sel.Sub) > 0 {
			s += " { " + PrintFieldSet(sel.Sub) + " }"
		}
		parts[i] = s
	}
	return strings.Join(parts, " ")
}

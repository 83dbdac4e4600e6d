package supergraph

import (
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
)

// fieldSetResolvable reports whether the subgraph can resolve every field of
// a field set on its own (no external fields), which makes the set usable
// as an implicit key for leaving this subgraph.
func (b *metadataBuilder) fieldSetResolvable(typeName, fs string) bool {
	sel, err := parseFieldSet(fs)
	if err != nil {
		return false
	}
	return b.selectionResolvable(typeName, sel)
}

func (b *metadataBuilder) selectionResolvable(typeName string, set ast.SelectionSet) bool {
	t := b.g.typ(typeName)
	if t == nil {
		return false
	}
	keyFields := resolvableKeyFields(t)
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if x.Name == "__typename" {
				continue
			}
			f := t.field(x.Name)
			if f == nil || f.overridden || (f.external && !keyFields[x.Name]) {
				return false
			}
			if len(x.SelectionSet) > 0 && !b.selectionResolvable(f.typ.Name(), x.SelectionSet) {
				return false
			}
		case *ast.InlineFragment:
			tc := x.TypeCondition
			if tc == "" {
				tc = typeName
			}
			if !b.selectionResolvable(tc, x.SelectionSet) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// addProvidedKeys adds conditional implicit keys: key fields that are
// external in this subgraph but provided along a @provides path.
func (b *metadataBuilder) addProvidedKeys() error {
	for _, name := range b.g.order {
		t := b.g.types[name]
		for _, f := range t.fields {
			if f.provides == "" || f.overridden {
				continue
			}
			sel, err := parseFieldSet(f.provides)
			if err != nil {
				return err
			}
			b.walkProvides(sel, f.typ.Name(), []string{f.name}, []plan.FieldCoordinate{{TypeName: name, FieldName: f.name}})
		}
	}
	return nil
}

func (b *metadataBuilder) walkProvides(set ast.SelectionSet, typeName string, path []string, coords []plan.FieldCoordinate) {
	selected := map[string]bool{}
	for _, sel := range set {
		if f, ok := sel.(*ast.Field); ok {
			selected[f.Name] = true
		}
	}
	for _, entity := range b.s.concreteTypes(typeName) {
		et := b.g.typ(entity)
		if et == nil {
			continue
		}
		for _, fs := range b.allKeys[entity] {
			if b.hasUnconditionalKey(entity, fs) {
				continue
			}
			keySel, err := parseFieldSet(fs)
			if err != nil || len(keySel) == 0 {
				continue
			}
			first := ""
			all := true
			for _, ks := range keySel {
				kf, ok := ks.(*ast.Field)
				if !ok || !selected[kf.Name] {
					all = false
					break
				}
				if first == "" {
					first = kf.Name
				}
			}
			if !all {
				continue
			}
			b.addCondition(entity, fs, plan.KeyCondition{
				FieldPath:   append(slices.Clone(path), first),
				Coordinates: append(slices.Clone(coords), plan.FieldCoordinate{TypeName: typeName, FieldName: first}),
			})
		}
	}
	d := b.s.defs[typeName]
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if d == nil || len(x.SelectionSet) == 0 {
				continue
			}
			fd := d.Fields.ForName(x.Name)
			if fd == nil {
				continue
			}
			b.walkProvides(x.SelectionSet, fd.Type.Name(), append(slices.Clone(path), x.Name),
				append(slices.Clone(coords), plan.FieldCoordinate{TypeName: typeName, FieldName: x.Name}))
		case *ast.InlineFragment:
			tc := x.TypeCondition
			if tc == "" {
				tc = typeName
			}
			b.walkProvides(x.SelectionSet, tc, path, coords)
		}
	}
}

func (b *metadataBuilder) hasUnconditionalKey(typeName, fs string) bool {
	n := normalizeFieldSet(fs)
	for _, k := range b.md.Keys {
		if k.TypeName == typeName && normalizeFieldSet(k.SelectionSet) == n && len(k.Conditions) == 0 {
			return true
		}
	}
	return false
}

func (b *metadataBuilder) addCondition(typeName, fs string, c plan.KeyCondition) {
	n := normalizeFieldSet(fs)
	for i := range b.md.Keys {
		k := &b.md.Keys[i]
		if k.TypeName == typeName && normalizeFieldSet(k.SelectionSet) == n && len(k.Conditions) > 0 {
			k.Conditions = append(k.Conditions, c)
			return
		}
	}
	b.md.Keys = append(b.md.Keys, plan.FederationFieldConfiguration{
		TypeName: typeName, SelectionSet: fs, DisableEntityResolver: true, Conditions: []plan.KeyCondition{c},
	})
}

// keySets lists the field sets of the keys recorded so far for a type.
func (b *metadataBuilder) keySets(typeName string) []string {
	var out []string
	for _, k := range b.md.Keys {
		if k.TypeName == typeName {
			out = append(out, k.SelectionSet)
		}
	}
	return out
}

// resolvableSubset returns the top-level members of a compound key that
// the subgraph resolves itself, printed as a field set, or "" when none or
// all of them are.
func (b *metadataBuilder) resolvableSubset(typeName, fs string) string {
	sel, err := parseFieldSet(fs)
	if err != nil || len(sel) < 2 {
		return ""
	}
	var parts []string
	for _, x := range sel {
		if b.selectionResolvable(typeName, ast.SelectionSet{x}) {
			parts = append(parts, printSelection(x))
		}
	}
	if len(parts) == 0 || len(parts) == len(sel) {
		return ""
	}
	return strings.Join(parts, " ")
}

// printSelection renders a field-set selection back to text.
func printSelection(sel ast.Selection) string {
	switch x := sel.(type) {
	case *ast.Field:
		out := x.Name
		if x.Alias != "" && x.Alias != x.Name {
			out = x.Alias + ": " + x.Name
		}
		if len(x.SelectionSet) > 0 {
			out += " { " + printSelectionSet(x.SelectionSet) + " }"
		}
		return out
	case *ast.InlineFragment:
		return "... on " + x.TypeCondition + " { " + printSelectionSet(x.SelectionSet) + " }"
	}
	return ""
}

func printSelectionSet(set ast.SelectionSet) string {
	parts := make([]string, len(set))
	for i, s := range set {
		parts[i] = printSelection(s)
	}
	return strings.Join(parts, " ")
}

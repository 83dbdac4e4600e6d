package supergraph

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// pruneFed1Interfaces drops interface fields that some implementation in the
// subgraph lacks: join v0.1 does not say where interface fields live.
func (s *Supergraph) pruneFed1Interfaces(g *subgraph) {
	for _, name := range slices.Clone(g.order) {
		t := g.types[name]
		if t.kind != ast.Interface || t.interfaceObject {
			continue
		}
		t.fields = slices.DeleteFunc(t.fields, func(f *field) bool {
			for _, other := range g.types {
				if slices.Contains(other.implements, name) && other.field(f.name) == nil {
					return true
				}
			}
			return false
		})
		if len(t.fields) == 0 {
			g.removeType(name)
			for _, other := range g.types {
				other.implements = slices.DeleteFunc(other.implements, func(i string) bool { return i == name })
			}
		}
	}
}

// addExternalFields re-adds the fields that join v0.1 leaves out: those named
// in @key, @requires and @provides field sets but owned elsewhere.
func (s *Supergraph) addExternalFields(g *subgraph) error {
	for _, name := range slices.Clone(g.order) {
		t := g.types[name]
		for _, k := range t.keys {
			if err := s.addFieldSet(g, name, k.fields, true); err != nil {
				return err
			}
		}
		for _, f := range slices.Clone(t.fields) {
			if f.requires != "" {
				if err := s.addFieldSet(g, name, f.requires, false); err != nil {
					return err
				}
			}
			if f.provides != "" {
				if err := s.addFieldSet(g, f.typ.Name(), f.provides, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// addFieldSet adds the fields of a field set that the subgraph lacks to its
// types: key fields as resolvable, the others as external.
func (s *Supergraph) addFieldSet(g *subgraph, typeName, fs string, isKey bool) error {
	sel, err := parseFieldSet(fs)
	if err != nil {
		return err
	}
	var walk func(ast.SelectionSet, string)
	walk = func(set ast.SelectionSet, typeName string) {
		d := s.defs[typeName]
		if d == nil {
			return
		}
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				fd := d.Fields.ForName(x.Name)
				if fd == nil {
					continue
				}
				t := g.addType(d.Kind, typeName)
				f := t.field(x.Name)
				if f == nil {
					t.addField(&field{name: x.Name, typ: fd.Type, def: fd, external: !isKey})
				} else if isKey {
					f.external = false
				}
				if len(x.SelectionSet) > 0 {
					walk(x.SelectionSet, fd.Type.Name())
				}
			case *ast.InlineFragment:
				tc := x.TypeCondition
				if tc == "" {
					tc = typeName
				}
				walk(x.SelectionSet, tc)
			}
		}
	}
	walk(sel, typeName)
	return nil
}

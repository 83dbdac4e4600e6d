// Package check compares a committed supergraph with a fresh composition:
// it finds changes that break existing clients of the API schema (what
// clients can query: join and link machinery and @inaccessible elements
// excluded).
package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Change is one difference between two API schemas that matters to
// clients, with a stable code for CI tooling.
type Change struct {
	Code       string
	Coordinate string
	Message    string
}

// Break is a change that breaks existing clients.
type Break = Change

// String renders the change for CI logs.
func (b Change) String() string {
	return fmt.Sprintf("%s %s: %s", b.Code, b.Coordinate, b.Message)
}

// Breaking lists the changes from oldSDL to newSDL that break clients:
// removed types, fields, arguments, enum values, union members and
// interfaces; output types changed or made nullable; input types changed or
// made required; new required arguments and input fields.
func Breaking(oldSDL, newSDL string) ([]Break, error) {
	oldAPI, err := apiTypes(oldSDL)
	if err != nil {
		return nil, fmt.Errorf("breaking: old supergraph: %w", err)
	}
	newAPI, err := apiTypes(newSDL)
	if err != nil {
		return nil, fmt.Errorf("breaking: new supergraph: %w", err)
	}
	var out []Break
	add := func(code, coord, format string, args ...any) {
		out = append(out, Break{Code: code, Coordinate: coord, Message: fmt.Sprintf(format, args...)})
	}
	for _, name := range sortedNames(oldAPI) {
		o, n := oldAPI[name], newAPI[name]
		if n == nil {
			add("TYPE_REMOVED", name, "type %s was removed", name)
			continue
		}
		if o.Kind != n.Kind {
			add("TYPE_KIND_CHANGED", name, "type %s changed from %s to %s", name, o.Kind, n.Kind)
			continue
		}
		switch o.Kind {
		case ast.Object, ast.Interface:
			compareOutputFields(o, n, add)
			for _, itf := range o.Interfaces {
				if !contains(n.Interfaces, itf) {
					add("INTERFACE_REMOVED", name, "%s no longer implements %s", name, itf)
				}
			}
		case ast.InputObject:
			compareInputFields(o, n, add)
		case ast.Enum:
			for _, v := range o.EnumValues {
				if n.EnumValues.ForName(v.Name) == nil {
					add("ENUM_VALUE_REMOVED", name+"."+v.Name, "enum value %s.%s was removed", name, v.Name)
				}
			}
		case ast.Union:
			for _, m := range o.Types {
				if !contains(n.Types, m) {
					add("UNION_MEMBER_REMOVED", name, "%s was removed from union %s", m, name)
				}
			}
		}
	}
	return out, nil
}

type addFunc func(code, coord, format string, args ...any)

func compareOutputFields(o, n *ast.Definition, add addFunc) {
	for _, of := range o.Fields {
		coord := o.Name + "." + of.Name
		nf := n.Fields.ForName(of.Name)
		if nf == nil {
			add("FIELD_REMOVED", coord, "field %s was removed", coord)
			continue
		}
		if !safeOutputChange(of.Type, nf.Type) {
			if of.Type.NonNull && !nf.Type.NonNull && sameIgnoringTopNull(of.Type, nf.Type) {
				add("FIELD_MADE_NULLABLE", coord, "field %s changed type from %s to %s (made nullable)", coord, of.Type, nf.Type)
			} else {
				add("FIELD_TYPE_CHANGED", coord, "field %s changed type from %s to %s", coord, of.Type, nf.Type)
			}
		}
		for _, oa := range of.Arguments {
			argCoord := fmt.Sprintf("%s(%s:)", coord, oa.Name)
			na := nf.Arguments.ForName(oa.Name)
			if na == nil {
				add("ARGUMENT_REMOVED", argCoord, "argument %s was removed", argCoord)
				continue
			}
			if !safeInputChange(oa.Type, na.Type) {
				add("ARGUMENT_TYPE_CHANGED", argCoord, "argument %s changed type from %s to %s", argCoord, oa.Type, na.Type)
			}
		}
		for _, na := range nf.Arguments {
			if of.Arguments.ForName(na.Name) == nil && na.Type.NonNull && na.DefaultValue == nil {
				argCoord := fmt.Sprintf("%s(%s:)", coord, na.Name)
				add("REQUIRED_ARGUMENT_ADDED", argCoord, "required argument %s (%s) was added", argCoord, na.Type)
			}
		}
	}
}

func compareInputFields(o, n *ast.Definition, add addFunc) {
	for _, of := range o.Fields {
		coord := o.Name + "." + of.Name
		nf := n.Fields.ForName(of.Name)
		if nf == nil {
			add("INPUT_FIELD_REMOVED", coord, "input field %s was removed", coord)
			continue
		}
		if !safeInputChange(of.Type, nf.Type) {
			add("INPUT_FIELD_TYPE_CHANGED", coord, "input field %s changed type from %s to %s", coord, of.Type, nf.Type)
		}
	}
	for _, nf := range n.Fields {
		if o.Fields.ForName(nf.Name) == nil && nf.Type.NonNull && nf.DefaultValue == nil {
			coord := n.Name + "." + nf.Name
			add("REQUIRED_INPUT_FIELD_ADDED", coord, "required input field %s (%s) was added", coord, nf.Type)
		}
	}
}

// safeOutputChange: clients still get what they expect when the new output
// type is the same or stricter (nullable -> non-null).
func safeOutputChange(old, new *ast.Type) bool {
	if old.NonNull && !new.NonNull {
		return false
	}
	if old.Elem != nil || new.Elem != nil {
		if old.Elem == nil || new.Elem == nil {
			return false
		}
		return safeOutputChange(old.Elem, new.Elem)
	}
	return old.NamedType == new.NamedType
}

// safeInputChange: existing client inputs stay valid when the new input type
// is the same or looser (non-null -> nullable).
func safeInputChange(old, new *ast.Type) bool {
	if !old.NonNull && new.NonNull {
		return false
	}
	if old.Elem != nil || new.Elem != nil {
		if old.Elem == nil || new.Elem == nil {
			return false
		}
		return safeInputChange(old.Elem, new.Elem)
	}
	return old.NamedType == new.NamedType
}

func sameIgnoringTopNull(a, b *ast.Type) bool {
	x, y := *a, *b
	x.NonNull, y.NonNull = false, false
	return x.String() == y.String()
}

// apiTypes parses a supergraph and keeps what clients can see.
func apiTypes(sdl string) (map[string]*ast.Definition, error) {
	doc, err := parser.ParseSchema(&ast.Source{Input: sdl})
	if err != nil {
		return nil, err
	}
	out := map[string]*ast.Definition{}
	for _, d := range append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...) {
		if specType(d.Name) || inaccessible(d.Directives) {
			continue
		}
		c := *d
		c.Fields = nil
		for _, f := range d.Fields {
			if inaccessible(f.Directives) {
				continue
			}
			fc := *f
			fc.Arguments = nil
			for _, a := range f.Arguments {
				if !inaccessible(a.Directives) {
					fc.Arguments = append(fc.Arguments, a)
				}
			}
			c.Fields = append(c.Fields, &fc)
		}
		c.EnumValues = nil
		for _, v := range d.EnumValues {
			if !inaccessible(v.Directives) {
				c.EnumValues = append(c.EnumValues, v)
			}
		}
		if prev := out[d.Name]; prev != nil {
			prev.Fields = append(prev.Fields, c.Fields...)
			prev.EnumValues = append(prev.EnumValues, c.EnumValues...)
			continue
		}
		out[d.Name] = &c
	}
	for _, d := range out {
		var members []string
		for _, m := range d.Types {
			if out[m] != nil {
				members = append(members, m)
			}
		}
		d.Types = members
	}
	return out, nil
}

// specType reports the types the supergraph's feature specs define, which
// the API schema leaves out.
func specType(name string) bool {
	for _, p := range []string{"join__", "link__", "requiresScopes__", "policy__"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func inaccessible(ds ast.DirectiveList) bool { return ds.ForName("inaccessible") != nil }

func sortedNames(m map[string]*ast.Definition) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Package cost estimates and measures the cost of GraphQL operations from
// the supergraph's @cost and @listSize directives (the cost/v0.1 spec), as
// Apollo Router's demand control does with its static_estimated strategy:
// composite types cost 1 per object, leaves 0, a mutation 10, a list
// multiplies its items by its expected size, and @cost weights replace
// those defaults.
package cost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// specURL is the identity of the demand-control spec in @link.
const specURL = "https://specs.apollo.dev/cost/"

// Schema holds what costing needs from a supergraph: every type's kind and
// weight, every field's type, weight, list size and arguments.
type Schema struct {
	types    map[string]*typeInfo
	query    string
	mutation string
	sub      string
}

type typeInfo struct {
	kind   ast.DefinitionKind
	weight *float64
	fields map[string]*fieldInfo
}

type fieldInfo struct {
	typ      *ast.Type
	weight   *float64
	listSize *listSize
	args     map[string]*argInfo
}

type argInfo struct {
	typ    *ast.Type
	weight *float64
	def    *ast.Value
}

// listSize is one @listSize application.
type listSize struct {
	assumed    *int
	slicing    []string
	sized      []string
	requireOne bool
}

// directiveNames are the names the supergraph applies the spec's
// directives under (a @link may rename or namespace them).
type directiveNames struct{ cost, listSize string }

// NewSchema reads a join-spec supergraph. A supergraph that does not link
// the cost spec is valid: every element then has its default cost.
func NewSchema(sdl string) (*Schema, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("cost schema: %w", err)
	}
	names := linkedNames(doc)
	s := &Schema{types: map[string]*typeInfo{}, query: "Query", mutation: "Mutation", sub: "Subscription"}
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, sd := range list {
			for _, ot := range sd.OperationTypes {
				switch ot.Operation {
				case ast.Query:
					s.query = ot.Type
				case ast.Mutation:
					s.mutation = ot.Type
				case ast.Subscription:
					s.sub = ot.Type
				}
			}
		}
	}
	add := func(d *ast.Definition) error {
		t := s.types[d.Name]
		if t == nil {
			t = &typeInfo{kind: d.Kind, fields: map[string]*fieldInfo{}}
			s.types[d.Name] = t
		}
		w, err := weightOf(d.Directives, names.cost)
		if err != nil {
			return fmt.Errorf("type %s: %w", d.Name, err)
		}
		if w != nil {
			t.weight = w
		}
		for _, fd := range d.Fields {
			f := &fieldInfo{typ: fd.Type, args: map[string]*argInfo{}}
			coord := d.Name + "." + fd.Name
			if f.weight, err = weightOf(fd.Directives, names.cost); err != nil {
				return fmt.Errorf("field %s: %w", coord, err)
			}
			if ls := fd.Directives.ForName(names.listSize); ls != nil && names.listSize != "" {
				if f.listSize, err = readListSize(ls); err != nil {
					return fmt.Errorf("field %s: %w", coord, err)
				}
			}
			for _, a := range fd.Arguments {
				ai := &argInfo{typ: a.Type, def: a.DefaultValue}
				if ai.weight, err = weightOf(a.Directives, names.cost); err != nil {
					return fmt.Errorf("argument %s(%s:): %w", coord, a.Name, err)
				}
				f.args[a.Name] = ai
			}
			t.fields[fd.Name] = f
		}
		return nil
	}
	for _, d := range doc.Definitions {
		if err := add(d); err != nil {
			return nil, fmt.Errorf("cost schema: %w", err)
		}
	}
	for _, d := range doc.Extensions {
		if err := add(d); err != nil {
			return nil, fmt.Errorf("cost schema: %w", err)
		}
	}
	return s, nil
}

// linkedNames finds the cost spec's @link and the names it gives the
// directives: @cost is the spec's own name (or its `as:`), @listSize is
// namespaced unless imported.
func linkedNames(doc *ast.SchemaDocument) directiveNames {
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, sd := range list {
			for _, d := range sd.Directives {
				if d.Name != "link" {
					continue
				}
				url := stringArg(d, "url")
				if !strings.HasPrefix(url, specURL) {
					continue
				}
				prefix := "cost"
				if as := stringArg(d, "as"); as != "" {
					prefix = as
				}
				n := directiveNames{cost: prefix, listSize: prefix + "__listSize"}
				if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
					for _, c := range imp.Value.Children {
						name, as := importEntry(c.Value)
						switch name {
						case "@cost":
							n.cost = strings.TrimPrefix(as, "@")
						case "@listSize":
							n.listSize = strings.TrimPrefix(as, "@")
						}
					}
				}
				return n
			}
		}
	}
	return directiveNames{}
}

func importEntry(v *ast.Value) (name, as string) {
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		return v.Raw, v.Raw
	case ast.ObjectValue:
		for _, c := range v.Children {
			switch c.Name {
			case "name":
				name = c.Value.Raw
			case "as":
				as = c.Value.Raw
			}
		}
		if as == "" {
			as = name
		}
	}
	return name, as
}

func stringArg(d *ast.Directive, name string) string {
	if a := d.Arguments.ForName(name); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return ""
}

// weightOf reads @cost(weight:) from a directive list, or returns nil.
func weightOf(ds ast.DirectiveList, name string) (*float64, error) {
	if name == "" {
		return nil, nil
	}
	d := ds.ForName(name)
	if d == nil {
		return nil, nil
	}
	a := d.Arguments.ForName("weight")
	if a == nil || a.Value == nil {
		return nil, fmt.Errorf("@%s without weight", name)
	}
	w, err := strconv.ParseFloat(a.Value.Raw, 64)
	if err != nil {
		return nil, fmt.Errorf("@%s weight %q: %w", name, a.Value.Raw, err)
	}
	return &w, nil
}

func readListSize(d *ast.Directive) (*listSize, error) {
	ls := &listSize{requireOne: true}
	for _, a := range d.Arguments {
		if a.Value == nil || a.Value.Kind == ast.NullValue {
			continue
		}
		switch a.Name {
		case "assumedSize":
			n, err := strconv.Atoi(a.Value.Raw)
			if err != nil {
				return nil, fmt.Errorf("@listSize assumedSize %q: %w", a.Value.Raw, err)
			}
			ls.assumed = &n
		case "slicingArguments", "sizedFields":
			var names []string
			for _, c := range a.Value.Children {
				names = append(names, c.Value.Raw)
			}
			if a.Name == "sizedFields" {
				ls.sized = names
			} else {
				ls.slicing = names
			}
		case "requireOneSlicingArgument":
			ls.requireOne = a.Value.Raw == "true"
		}
	}
	return ls, nil
}

// isComposite reports object, interface and union types, which cost 1 per
// instance by default.
func (s *Schema) isComposite(name string) bool {
	t := s.types[name]
	return t != nil && (t.kind == ast.Object || t.kind == ast.Interface || t.kind == ast.Union)
}

// typeWeight is the cost of one instance of a field's value: the field's
// @cost, else its type's @cost, else 1 for composite types and 0 for leaves.
func (s *Schema) typeWeight(f *fieldInfo) float64 {
	if f.weight != nil {
		return *f.weight
	}
	named := f.typ.Name()
	if t := s.types[named]; t != nil && t.weight != nil {
		return *t.weight
	}
	if s.isComposite(named) {
		return 1
	}
	return 0
}

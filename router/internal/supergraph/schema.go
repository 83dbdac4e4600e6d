package supergraph

import (
	"bytes"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

const inaccessibleDefinition = "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | " +
	"ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n"

// ClientSchema returns the API schema that clients see: no join/link
// machinery and nothing marked @inaccessible. Operations are normalized,
// validated and introspected against it.
func (s *Supergraph) ClientSchema() string {
	return s.printFiltered(false)
}

// RouterSchema returns the schema the planner works on: every type and
// field, @inaccessible ones included (keys and requires may use them), with
// the join/link machinery removed and @inaccessible kept as a marker.
func (s *Supergraph) RouterSchema() string {
	return inaccessibleDefinition + s.printFiltered(true)
}

func (s *Supergraph) printFiltered(keepInaccessible bool) string {
	out := &ast.SchemaDocument{}
	sd := &ast.SchemaDefinition{}
	for _, r := range []struct {
		op   ast.Operation
		name string
	}{{ast.Query, s.roots.query}, {ast.Mutation, s.roots.mutation}, {ast.Subscription, s.roots.subscription}} {
		if d := s.defs[r.name]; r.name != "" && d != nil {
			sd.OperationTypes = append(sd.OperationTypes, &ast.OperationTypeDefinition{Operation: r.op, Type: r.name})
		}
	}
	out.Schema = ast.SchemaDefinitionList{sd}
	for _, dd := range s.doc.Directives {
		if s.specs.isSpecDirective(dd.Name) || builtinDirectives[dd.Name] {
			continue
		}
		out.Directives = append(out.Directives, dd)
	}
	hidden := func(dirs ast.DirectiveList) bool {
		return !keepInaccessible && dirs.ForName(s.specs.inaccessible) != nil
	}
	hiddenType := func(name string) bool {
		d := s.defs[name]
		return d != nil && hidden(d.Directives)
	}
	ctx := Contexts{}
	if keepInaccessible {
		// The planner sees the arguments the router fills from contexts.
		ctx = s.Contexts()
	}
	for _, d := range s.userTypes() {
		if hidden(d.Directives) {
			continue
		}
		c := &ast.Definition{Kind: d.Kind, Description: d.Description, Name: d.Name, Directives: s.keepDirectives(d.Directives, keepInaccessible)}
		for _, i := range d.Interfaces {
			if !hiddenType(i) {
				c.Interfaces = append(c.Interfaces, i)
			}
		}
		for _, m := range d.Types {
			if !hiddenType(m) {
				c.Types = append(c.Types, m)
			}
		}
		for _, v := range d.EnumValues {
			if hidden(v.Directives) {
				continue
			}
			c.EnumValues = append(c.EnumValues, &ast.EnumValueDefinition{
				Description: v.Description, Name: v.Name, Directives: s.keepDirectives(v.Directives, keepInaccessible),
			})
		}
		for _, f := range d.Fields {
			if hidden(f.Directives) {
				continue
			}
			cf := &ast.FieldDefinition{
				Description: f.Description, Name: f.Name, DefaultValue: f.DefaultValue, Type: f.Type,
				Directives: s.keepDirectives(f.Directives, keepInaccessible),
			}
			args := f.Arguments
			if cf, ok := ctx.Fields[d.Name+"."+f.Name]; ok {
				args = withContextArgs(f, cf.Args)
			}
			for _, a := range args {
				if hidden(a.Directives) {
					continue
				}
				cf.Arguments = append(cf.Arguments, &ast.ArgumentDefinition{
					Description: a.Description, Name: a.Name, DefaultValue: a.DefaultValue, Type: a.Type,
					Directives: s.keepDirectives(a.Directives, keepInaccessible),
				})
			}
			c.Fields = append(c.Fields, cf)
		}
		out.Definitions = append(out.Definitions, c)
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchemaDocument(out)
	return buf.String()
}

// keepDirectives drops every applied directive except the built-in ones and,
// for the router schema, @inaccessible (under its canonical name).
func (s *Supergraph) keepDirectives(dirs ast.DirectiveList, keepInaccessible bool) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range dirs {
		switch d.Name {
		case s.specs.inaccessible:
			if keepInaccessible {
				out = append(out, &ast.Directive{Name: "inaccessible"})
			}
		case "deprecated", "specifiedBy", "oneOf":
			out = append(out, d)
		}
	}
	return out
}

package check

import (
	"bytes"
	"fmt"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// keptDirectives are the directives the API schema keeps: the ones GraphQL
// itself defines. Everything else on a supergraph (join, link, access
// control, tags) is router machinery clients never see.
var keptDirectives = map[string]bool{"deprecated": true, "specifiedBy": true, "oneOf": true}

// executableLocations are the directive locations of operations.
var executableLocations = map[ast.DirectiveLocation]bool{
	ast.LocationQuery: true, ast.LocationMutation: true, ast.LocationSubscription: true,
	ast.LocationField: true, ast.LocationFragmentDefinition: true, ast.LocationFragmentSpread: true,
	ast.LocationInlineFragment: true, ast.LocationVariableDefinition: true,
}

// APISchema is the schema clients of a supergraph validate operations
// against: the supergraph without its spec types, @inaccessible elements and
// type-system directives.
func APISchema(supergraphSDL string) (*ast.Schema, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph.graphql", Input: supergraphSDL})
	if err != nil {
		return nil, err
	}
	api := &ast.SchemaDocument{}
	for _, s := range append(append(ast.SchemaDefinitionList{}, doc.Schema...), doc.SchemaExtension...) {
		api.Schema = append(api.Schema, &ast.SchemaDefinition{OperationTypes: s.OperationTypes})
	}
	for _, d := range doc.Directives {
		if specType(d.Name) || keptDirectives[d.Name] || builtinDirective(d.Name) {
			continue
		}
		for _, loc := range d.Locations {
			if executableLocations[loc] {
				api.Directives = append(api.Directives, d)
				break
			}
		}
	}
	byName := map[string]*ast.Definition{}
	for _, list := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, d := range list {
			if specType(d.Name) || inaccessible(d.Directives) {
				continue
			}
			c := *d
			c.Directives = kept(d.Directives)
			c.Fields = nil
			for _, f := range d.Fields {
				if inaccessible(f.Directives) {
					continue
				}
				fc := *f
				fc.Directives = kept(f.Directives)
				fc.Arguments = nil
				for _, a := range f.Arguments {
					if !inaccessible(a.Directives) {
						ac := *a
						ac.Directives = kept(a.Directives)
						fc.Arguments = append(fc.Arguments, &ac)
					}
				}
				c.Fields = append(c.Fields, &fc)
			}
			c.EnumValues = nil
			for _, v := range d.EnumValues {
				if !inaccessible(v.Directives) {
					vc := *v
					vc.Directives = kept(v.Directives)
					c.EnumValues = append(c.EnumValues, &vc)
				}
			}
			if prev := byName[d.Name]; prev != nil {
				prev.Fields = append(prev.Fields, c.Fields...)
				prev.EnumValues = append(prev.EnumValues, c.EnumValues...)
				prev.Types = append(prev.Types, c.Types...)
				prev.Interfaces = append(prev.Interfaces, c.Interfaces...)
				continue
			}
			byName[d.Name] = &c
			api.Definitions = append(api.Definitions, &c)
		}
	}
	for _, d := range api.Definitions {
		d.Types = present(d.Types, byName)
		d.Interfaces = present(d.Interfaces, byName)
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf).FormatSchemaDocument(api)
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "api.graphql", Input: buf.String()})
	if gerr != nil {
		return nil, fmt.Errorf("api schema: %w", gerr)
	}
	return schema, nil
}

func kept(ds ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range ds {
		if keptDirectives[d.Name] {
			out = append(out, d)
		}
	}
	return out
}

func builtinDirective(name string) bool {
	switch name {
	case "skip", "include", "defer", "stream":
		return true
	}
	return false
}

// present keeps the names that are types of the API schema.
func present(names []string, byName map[string]*ast.Definition) []string {
	var out []string
	for _, n := range names {
		if byName[n] != nil {
			out = append(out, n)
		}
	}
	return out
}

package fedtest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// federationDirectives are the definitions a subgraph SDL may use without
// declaring them. Each one is only added when the SDL does not declare it
// itself, which Federation 1 subgraphs sometimes do.
var federationDirectives = map[string]string{
	"link":             `directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA`,
	"key":              `directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE`,
	"requires":         `directive @requires(fields: FieldSet!) on FIELD_DEFINITION`,
	"provides":         `directive @provides(fields: FieldSet!) on FIELD_DEFINITION`,
	"external":         `directive @external(reason: String) on OBJECT | FIELD_DEFINITION`,
	"extends":          `directive @extends on OBJECT | INTERFACE`,
	"shareable":        `directive @shareable repeatable on OBJECT | FIELD_DEFINITION`,
	"override":         `directive @override(from: String!, label: String) on FIELD_DEFINITION`,
	"interfaceObject":  `directive @interfaceObject on OBJECT`,
	"composeDirective": `directive @composeDirective(name: String!) repeatable on SCHEMA`,
	"inaccessible":     `directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION`,
	"cost":             `directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR`,
	"listSize":         `directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION`,
	"tag":              `directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION`,
	"context":          `directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION`,
	"fromContext":      `directive @fromContext(field: federation__ContextFieldValue) on ARGUMENT_DEFINITION`,
}

// federationTypes are the scalars and types the federation directives and the
// _service field refer to.
var federationTypes = map[string]string{
	"_Any":                          `scalar _Any`,
	"FieldSet":                      `scalar FieldSet`,
	"_FieldSet":                     `scalar _FieldSet`,
	"federation__FieldSet":          `scalar federation__FieldSet`,
	"federation__ContextFieldValue": `scalar federation__ContextFieldValue`,
	"link__Import":                  `scalar link__Import`,
	"link__Purpose":                 `enum link__Purpose { SECURITY EXECUTION }`,
	"_Service":                      `type _Service { sdl: String }`,
}

// buildSchema turns a subgraph SDL into the executable schema a real
// subgraph serves: the SDL plus the federation definitions, the _Entity union
// over keyed object types and the _service/_entities root fields.
func buildSchema(sdl string) (*ast.Schema, []string, error) {
	user, err := parser.ParseSchema(&ast.Source{Name: "subgraph", Input: sdl})
	if err != nil {
		return nil, nil, fmt.Errorf("parse sdl: %w", err)
	}
	declared := map[string]bool{}
	for _, d := range user.Directives {
		declared["@"+d.Name] = true
	}
	for _, d := range user.Definitions {
		declared[d.Name] = true
	}
	var extra []string
	for _, name := range sortedKeys(federationDirectives) {
		if !declared["@"+name] {
			extra = append(extra, federationDirectives[name])
		}
	}
	for _, name := range sortedKeys(federationTypes) {
		if !declared[name] {
			extra = append(extra, federationTypes[name])
		}
	}
	entities := entityTypes(user)
	rootFields := "_service: _Service!"
	if len(entities) > 0 {
		extra = append(extra, "union _Entity = "+strings.Join(entities, " | "))
		rootFields += "\n  _entities(representations: [_Any!]!): [_Entity]!"
	}
	queryName := queryTypeName(user)
	extra = append(extra, fmt.Sprintf("extend type %s {\n  %s\n}", queryName, rootFields))

	doc, err := parser.ParseSchemas(validator.Prelude,
		&ast.Source{Name: "subgraph", Input: sdl},
		&ast.Source{Name: "federation", Input: strings.Join(extra, "\n")})
	if err != nil {
		return nil, nil, fmt.Errorf("parse schema: %w", err)
	}
	schema, err := validator.ValidateSchemaDocument(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("validate schema: %w", err)
	}
	return schema, entities, nil
}

// entityTypes lists object types carrying @key in a definition or an
// extension, sorted so the generated union is stable.
func entityTypes(doc *ast.SchemaDocument) []string {
	seen := map[string]bool{}
	collect := func(defs ast.DefinitionList) {
		for _, d := range defs {
			if d.Kind == ast.Object && d.Directives.ForName("key") != nil {
				seen[d.Name] = true
			}
		}
	}
	collect(doc.Definitions)
	collect(doc.Extensions)
	return sortedKeys(seen)
}

// queryTypeName returns the query root's name, honouring a schema definition.
func queryTypeName(doc *ast.SchemaDocument) string {
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, s := range list {
			for _, op := range s.OperationTypes {
				if op.Operation == ast.Query {
					return op.Type
				}
			}
		}
	}
	return "Query"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

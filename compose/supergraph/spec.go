package supergraph

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// joinSpecSDL returns the link and join definitions for a join minor
// version; the arguments grew with each version (v0.4 overrideLabel and
// join__directive, v0.5 contextArguments).
func joinSpecSDL(minor int) string {
	fieldArgs := "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean"
	extra := ""
	if minor >= 4 {
		fieldArgs += ", overrideLabel: String"
		extra += `directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION
scalar join__DirectiveArguments
`
	}
	if minor >= 5 {
		fieldArgs += ", contextArguments: [join__ContextArgument!]"
		extra += `input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}
scalar join__FieldValue
`
	}
	return extra + `directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(` + fieldArgs + `) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose {
  """
  ` + "`SECURITY`" + ` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  ` + "`EXECUTION`" + ` features provide metadata necessary for operation execution.
  """
  EXECUTION
}
`
}

// InaccessibleDirective is the definition of @inaccessible v0.2.
const InaccessibleDirective = `directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION`

// TagDirective is the definition of @tag v0.3.
const TagDirective = `directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA`

// AuthenticatedDirective is the definition of @authenticated v0.1.
const AuthenticatedDirective = `directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM`

// AccessSpec is one access-control feature: its URL, directive definition
// and the scalar its argument uses.
type AccessSpec struct {
	URL       string
	Directive string
	Scalar    string
}

// AccessSpecs are the access-control features by directive name, as
// Apollo's composition links them (authenticated, requiresScopes and policy
// v0.1).
var AccessSpecs = map[string]AccessSpec{
	"authenticated": {URL: "https://specs.apollo.dev/authenticated/v0.1", Directive: AuthenticatedDirective},
	"requiresScopes": {
		URL:       "https://specs.apollo.dev/requiresScopes/v0.1",
		Directive: `directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM`,
		Scalar:    "requiresScopes__Scope",
	},
	"policy": {
		URL:       "https://specs.apollo.dev/policy/v0.1",
		Directive: `directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM`,
		Scalar:    "policy__Policy",
	},
}

// ParseDirectiveDef parses one directive definition written in SDL.
func ParseDirectiveDef(sdl string) (*ast.DirectiveDefinition, error) {
	doc, err := parser.ParseSchema(&ast.Source{Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("parse directive definition: %w", err)
	}
	if len(doc.Directives) != 1 {
		return nil, fmt.Errorf("parse directive definition: want one definition in %q", sdl)
	}
	return doc.Directives[0], nil
}

func mustParseSpec(minor int) *ast.SchemaDocument {
	doc, err := parser.ParseSchema(&ast.Source{Input: joinSpecSDL(minor)})
	if err != nil {
		// The spec text is a constant of this package; failing to parse it
		// is a programming error caught by every test.
		panic(fmt.Sprintf("join spec SDL: %v", err))
	}
	return doc
}

func joinDirectiveDefs(minor int) []*ast.DirectiveDefinition {
	return mustParseSpec(minor).Directives
}

// specTypes returns join__Graph and the spec scalars, enums and inputs.
func specTypes(s *Schema) []*Type {
	var out []*Type
	for _, d := range mustParseSpec(s.JoinMinor).Definitions {
		t := &Type{Kind: d.Kind, Name: d.Name, Description: d.Description}
		for _, v := range d.EnumValues {
			t.Values = append(t.Values, &Value{Name: v.Name, Description: v.Description})
		}
		for _, f := range d.Fields {
			t.Fields = append(t.Fields, &Field{Name: f.Name, Type: f.Type.String()})
		}
		out = append(out, t)
	}
	g := &Type{Kind: ast.Enum, Name: "join__Graph"}
	for _, gr := range s.Graphs {
		g.Values = append(g.Values, &Value{Name: gr.Enum, Directives: []Directive{{
			Name: "join__graph",
			Args: []DirArg{{Name: "name", Value: Str(gr.Name)}, {Name: "url", Value: Str(gr.URL)}},
		}}})
	}
	return append(out, g)
}

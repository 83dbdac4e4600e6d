// Package supergraph holds the composed supergraph model and prints it as
// Apollo's join-spec SDL (link v1.0, join v0.3-v0.5, inaccessible v0.2, tag
// v0.3, authenticated, requiresScopes and policy v0.1), the format Apollo's
// router and gateway, and our router, read.
package supergraph

import (
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Schema is a composed supergraph.
type Schema struct {
	// JoinMinor is the join spec minor version: 3, 4 or 5.
	JoinMinor int
	Graphs    []Graph
	// Links are the feature links after link and join (inaccessible, tag,
	// composed directives' specs).
	Links []Link
	// DirectiveDefs are extra directive definitions (inaccessible, tag,
	// composed directives), printed as SDL.
	DirectiveDefs []*ast.DirectiveDefinition
	Mutation      bool
	Subscription  bool
	Types         []*Type
}

// Graph is one subgraph in the join__Graph enum.
type Graph struct {
	Enum string
	Name string
	URL  string
}

// Link is one @link on the schema definition.
type Link struct {
	URL     string
	For     string
	Imports []Import
}

// Import is one element of a @link import list; As is set when the
// element is renamed.
type Import struct {
	Name string
	As   string
}

// String prints the import as @link writes it.
func (i Import) String() string {
	if i.As == "" {
		return Str(i.Name)
	}
	return "{name: " + Str(i.Name) + ", as: " + Str(i.As) + "}"
}

// Type is a named type of the supergraph.
type Type struct {
	Kind        ast.DefinitionKind
	Name        string
	Description string
	Interfaces  []string
	Directives  []Directive
	Fields      []*Field
	Values      []*Value
	Members     []string
}

// Field is an output field or an input field (Default only for inputs).
type Field struct {
	Name        string
	Description string
	Type        string
	Args        []*Arg
	Default     *ast.Value
	Directives  []Directive
}

// Arg is a field argument.
type Arg struct {
	Name        string
	Description string
	Type        string
	Default     *ast.Value
	Directives  []Directive
}

// Value is an enum value.
type Value struct {
	Name        string
	Description string
	Directives  []Directive
}

// Directive is an applied directive with already printed argument values.
type Directive struct {
	Name string
	Args []DirArg
}

// DirArg is one argument of an applied directive; Value is GraphQL syntax.
type DirArg struct {
	Name  string
	Value string
}

// Field returns the named field or nil.
func (t *Type) Field(name string) *Field {
	for _, f := range t.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Str prints a GraphQL string literal.
func Str(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00` + strconv.FormatInt(int64(r)>>4, 16) + strconv.FormatInt(int64(r)&15, 16))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ValueString prints an AST value in GraphQL syntax, with Apollo's spacing.
func ValueString(v *ast.Value) string {
	if v == nil {
		return "null"
	}
	switch v.Kind {
	case ast.Variable:
		return "$" + v.Raw
	case ast.StringValue, ast.BlockValue:
		return Str(v.Raw)
	case ast.ListValue:
		parts := make([]string, len(v.Children))
		for i, c := range v.Children {
			parts[i] = ValueString(c.Value)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case ast.ObjectValue:
		parts := make([]string, len(v.Children))
		for i, c := range v.Children {
			parts[i] = c.Name + ": " + ValueString(c.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return v.Raw
	}
}

// FromAST converts a subgraph's applied directive.
func FromAST(d *ast.Directive) Directive {
	out := Directive{Name: d.Name}
	for _, a := range d.Arguments {
		out.Args = append(out.Args, DirArg{Name: a.Name, Value: ValueString(a.Value)})
	}
	return out
}

// String prints the directive application.
func (d Directive) String() string {
	if len(d.Args) == 0 {
		return "@" + d.Name
	}
	parts := make([]string, len(d.Args))
	for i, a := range d.Args {
		parts[i] = a.Name + ": " + a.Value
	}
	return "@" + d.Name + "(" + strings.Join(parts, ", ") + ")"
}

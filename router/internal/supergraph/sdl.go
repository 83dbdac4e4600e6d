package supergraph

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// printSubgraphSDL renders one extracted subgraph as plain SDL with the
// federation directives graphql-go-tools reads (@key for the _Entity union,
// the others for readability when debugging plans).
func (s *Supergraph) printSubgraphSDL(g *subgraph) string {
	var b strings.Builder
	s.printSchemaDefinition(&b, g)
	for _, dd := range s.doc.Directives {
		if s.specs.isSpecDirective(dd.Name) || builtinDirectives[dd.Name] || !isExecutableDirective(dd) {
			continue
		}
		printDirectiveDefinition(&b, dd)
	}
	if g.typ(s.roots.query) == nil {
		// graphql-go-tools adds _entities and _service only to an existing
		// query type, so an entity-only subgraph still needs one.
		b.WriteString("type " + s.roots.query + "\n\n")
	}
	for _, name := range g.order {
		t := g.types[name]
		switch t.kind {
		case ast.Scalar:
			b.WriteString("scalar " + name + "\n\n")
		case ast.Enum:
			b.WriteString("enum " + name + " {\n")
			for _, v := range t.values {
				b.WriteString("  " + v + "\n")
			}
			b.WriteString("}\n\n")
		case ast.Union:
			b.WriteString("union " + name + " = " + strings.Join(t.members, " | ") + "\n\n")
		case ast.InputObject:
			b.WriteString("input " + name + " {\n")
			for _, f := range t.fields {
				b.WriteString("  " + f.name + ": " + f.typ.String())
				if f.def != nil && f.def.DefaultValue != nil {
					b.WriteString(" = " + f.def.DefaultValue.String())
				}
				b.WriteString("\n")
			}
			b.WriteString("}\n\n")
		case ast.Object, ast.Interface:
			s.printComposite(&b, t)
		}
	}
	return b.String()
}

func (s *Supergraph) printSchemaDefinition(b *strings.Builder, g *subgraph) {
	ops := []struct{ op, name, def string }{
		{"query", s.roots.query, "Query"},
		{"mutation", s.roots.mutation, "Mutation"},
		{"subscription", s.roots.subscription, "Subscription"},
	}
	custom := false
	for _, o := range ops {
		if o.name != "" && o.name != o.def {
			custom = true
		}
	}
	if !custom {
		return
	}
	b.WriteString("schema {\n")
	for i, o := range ops {
		if o.name == "" || (i > 0 && g.typ(o.name) == nil) {
			continue
		}
		b.WriteString("  " + o.op + ": " + o.name + "\n")
	}
	b.WriteString("}\n\n")
}

func (s *Supergraph) printComposite(b *strings.Builder, t *typ) {
	if t.kind == ast.Interface && !t.interfaceObject {
		b.WriteString("interface ")
	} else {
		b.WriteString("type ")
	}
	b.WriteString(t.name)
	if len(t.implements) > 0 && !t.interfaceObject {
		b.WriteString(" implements " + strings.Join(t.implements, " & "))
	}
	for _, k := range t.keys {
		if k.resolvable {
			b.WriteString(" @key(fields: " + quote(k.fields) + ")")
		}
	}
	if t.interfaceObject {
		b.WriteString(" @interfaceObject")
	}
	b.WriteString(" {\n")
	for _, f := range t.fields {
		b.WriteString("  " + f.name)
		if args := withContextArgs(f.def, f.contextArgs); len(args) > 0 {
			b.WriteString("(")
			for i, a := range args {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(a.Name + ": " + a.Type.String())
				if a.DefaultValue != nil {
					b.WriteString(" = " + a.DefaultValue.String())
				}
			}
			b.WriteString(")")
		}
		b.WriteString(": " + f.typ.String())
		if f.external || f.overridden {
			b.WriteString(" @external")
		}
		if f.requires != "" {
			b.WriteString(" @requires(fields: " + quote(f.requires) + ")")
		}
		if f.provides != "" {
			b.WriteString(" @provides(fields: " + quote(f.provides) + ")")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n\n")
}

func printDirectiveDefinition(b *strings.Builder, dd *ast.DirectiveDefinition) {
	b.WriteString("directive @" + dd.Name)
	if len(dd.Arguments) > 0 {
		b.WriteString("(")
		for i, a := range dd.Arguments {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(a.Name + ": " + a.Type.String())
			if a.DefaultValue != nil {
				b.WriteString(" = " + a.DefaultValue.String())
			}
		}
		b.WriteString(")")
	}
	if dd.IsRepeatable {
		b.WriteString(" repeatable")
	}
	b.WriteString(" on ")
	locs := make([]string, 0, len(dd.Locations))
	for _, l := range dd.Locations {
		if isExecutableLocation(l) {
			locs = append(locs, string(l))
		}
	}
	b.WriteString(strings.Join(locs, " | ") + "\n\n")
}

func isExecutableLocation(l ast.DirectiveLocation) bool {
	switch l {
	case ast.LocationQuery, ast.LocationMutation, ast.LocationSubscription, ast.LocationField,
		ast.LocationFragmentDefinition, ast.LocationFragmentSpread, ast.LocationInlineFragment,
		ast.LocationVariableDefinition:
		return true
	}
	return false
}

func isExecutableDirective(dd *ast.DirectiveDefinition) bool {
	for _, l := range dd.Locations {
		if isExecutableLocation(l) {
			return true
		}
	}
	return false
}

// quote renders a GraphQL string literal.
func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

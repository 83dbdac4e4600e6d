package supergraph

import (
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
)

// Contexts (@context/@fromContext, context/v0.1 with join v0.5): a type
// sets a context with @context(name:), and a field of a subgraph takes an
// argument from the nearest ancestor that set it; @join__field carries the
// argument's name and type, the context and the selection to read on the
// ancestor. The argument is not part of the API schema: the router
// fills it.

// ContextArg is one argument a subgraph's field takes from a context.
type ContextArg struct {
	// Name and Type are the argument's name and type in the subgraph.
	Name string
	Type string
	// Context is the context's supergraph name ("subgraph__name").
	Context string
	// Selection is what to read on the ancestor, e.g. " { locale }" or
	// " ... on A { x } ... on B { y }".
	Selection string
}

// ContextField is a field with context arguments in one subgraph.
type ContextField struct {
	TypeName  string
	FieldName string
	// Graph is the subgraph name that resolves the field with them.
	Graph string
	Args  []ContextArg
}

// Contexts is what the supergraph says about contexts.
type Contexts struct {
	// Fields maps "Type.field" to the field's context arguments.
	Fields map[string]ContextField
	// SetOn maps a context name to the types that set it.
	SetOn map[string][]string
}

// Empty reports whether no field takes a context argument.
func (c Contexts) Empty() bool { return len(c.Fields) == 0 }

// contextDirectiveName is the local name of @context: "context" unless the
// link renames it (`as:` or an import with `as`).
func contextDirectiveName(doc *ast.SchemaDocument) string {
	for _, d := range schemaDirectives(doc) {
		if d.Name != "link" {
			continue
		}
		if name, _ := parseSpecURL(argString(d, "url")); name != "context" {
			continue
		}
		local := "context"
		if as := argString(d, "as"); as != "" {
			local = as
		}
		if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
			for _, c := range imp.Value.Children {
				if c.Value.Kind != ast.ObjectValue {
					continue
				}
				n, as := c.Value.Children.ForName("name"), c.Value.Children.ForName("as")
				if n != nil && as != nil && n.Raw == "@context" {
					local = strings.TrimPrefix(as.Raw, "@")
				}
			}
		}
		return local
	}
	return ""
}

// readContextArgs reads the contextArguments of one @join__field.
func readContextArgs(app *ast.Directive) []ContextArg {
	a := app.Arguments.ForName("contextArguments")
	if a == nil || a.Value == nil || a.Value.Kind != ast.ListValue {
		return nil
	}
	var out []ContextArg
	for _, c := range a.Value.Children {
		if c.Value == nil || c.Value.Kind != ast.ObjectValue {
			continue
		}
		get := func(k string) string {
			if v := c.Value.Children.ForName(k); v != nil {
				return v.Raw
			}
			return ""
		}
		out = append(out, ContextArg{Name: get("name"), Type: get("type"), Context: get("context"), Selection: get("selection")})
	}
	return out
}

// Contexts lists the fields with context arguments and where each context
// is set.
func (s *Supergraph) Contexts() Contexts {
	out := Contexts{Fields: map[string]ContextField{}, SetOn: map[string][]string{}}
	if dir := contextDirectiveName(s.doc); dir != "" {
		for _, name := range s.order {
			for _, d := range s.defs[name].Directives.ForNames(dir) {
				out.SetOn[argString(d, "name")] = append(out.SetOn[argString(d, "name")], name)
			}
		}
	}
	for _, g := range s.graphs {
		for _, name := range g.order {
			for _, f := range g.types[name].fields {
				if len(f.contextArgs) > 0 {
					out.Fields[name+"."+f.name] = ContextField{TypeName: name, FieldName: f.name, Graph: g.graph.Name, Args: f.contextArgs}
				}
			}
		}
	}
	return out
}

// withContextArgs returns the field's arguments followed by its context
// arguments, which the subgraph declares although the API does not.
func withContextArgs(def *ast.FieldDefinition, ctx []ContextArg) ast.ArgumentDefinitionList {
	if def == nil {
		return nil
	}
	out := append(ast.ArgumentDefinitionList{}, def.Arguments...)
	for _, c := range ctx {
		if out.ForName(c.Name) != nil {
			continue
		}
		t, err := parseType(c.Type)
		if err != nil {
			continue
		}
		out = append(out, &ast.ArgumentDefinition{Name: c.Name, Type: t})
	}
	return out
}

// contextMetadata is the planner metadata of a subgraph's context data
// source: the types with context fields, as entities of their resolvable
// keys, with their key and context fields; every other type of the
// subgraph as a child node, for what the context fields return. It is nil
// when the subgraph has no context field.
func (s *Supergraph) contextMetadata(g *subgraph) *plan.DataSourceMetadata {
	md := &plan.DataSourceMetadata{}
	for _, name := range g.order {
		t := g.types[name]
		if t.kind != ast.Object && t.kind != ast.Interface {
			continue
		}
		var ctxFields []string
		for _, f := range t.fields {
			if len(f.contextArgs) > 0 {
				ctxFields = append(ctxFields, f.name)
			}
		}
		var names []string
		for _, f := range t.fields {
			if !f.external && !f.overridden {
				names = append(names, f.name)
			}
		}
		if len(ctxFields) == 0 {
			md.ChildNodes = append(md.ChildNodes, plan.TypeField{TypeName: name, FieldNames: names})
			continue
		}
		root := plan.TypeField{TypeName: name}
		for _, k := range t.keys {
			if !k.resolvable {
				continue
			}
			md.Keys = append(md.Keys, plan.FederationFieldConfiguration{TypeName: name, SelectionSet: k.fields})
			sel, err := parseFieldSet(k.fields)
			if err != nil {
				continue
			}
			for _, x := range sel {
				if f, ok := x.(*ast.Field); ok && !slices.Contains(root.FieldNames, f.Name) {
					root.FieldNames = append(root.FieldNames, f.Name)
				}
			}
		}
		root.FieldNames = append(root.FieldNames, ctxFields...)
		md.RootNodes = append(md.RootNodes, root)
		md.ChildNodes = append(md.ChildNodes, plan.TypeField{TypeName: name, FieldNames: names})
	}
	if len(md.RootNodes) == 0 {
		return nil
	}
	return md
}

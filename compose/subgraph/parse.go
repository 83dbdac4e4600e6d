package subgraph

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// builtinScalars need no definition in a subgraph.
var builtinScalars = map[string]bool{"Int": true, "Float": true, "String": true, "Boolean": true, "ID": true}

// Parse reads one subgraph SDL, validates it on its own and returns the
// model. Every problem found is returned; the model is nil when there is any.
func Parse(name, url, sdl string) (*Subgraph, diag.List) {
	var errs diag.List
	doc, err := parser.ParseSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		errs.Add("INVALID_GRAPHQL", name, "", fmt.Sprintf("[%s] %s", name, gqlMessage(err)))
		return nil, errs
	}
	n := resolveNames(doc)
	s := &Subgraph{
		Name: name, URL: url, Fed2: n.fed2, Minor: n.minor, Links: n.links,
		Types:      map[string]*Type{},
		Directives: map[string]*ast.DirectiveDefinition{},
		Access:     map[string]string{},
		Cost:       map[string]string{},
	}
	b := builder{s: s, n: n, roots: rootRenames(doc)}
	for _, imp := range n.bad {
		b.errs.Add("INVALID_LINK_DIRECTIVE_USAGE", name, imp, fmt.Sprintf("[%s] Cannot import unknown element %q.", name, imp))
	}
	for _, d := range doc.Definitions {
		b.addDefinition(d, false)
	}
	for _, d := range doc.Extensions {
		b.addDefinition(d, true)
	}
	for _, dd := range doc.Directives {
		if _, fed := n.toCanonical[dd.Name]; fed || dd.Name == "link" {
			continue
		}
		s.Directives[dd.Name] = dd
	}
	b.readSchemaDirectives(doc)
	b.ensureQuery()
	b.checkAccessOnInterfaces()
	b.checkCost()
	late := b.checkRules(doc)
	errs = append(errs, b.errs...)
	errs = append(errs, checkReferences(s)...)
	if len(errs) > 0 {
		return nil, append(errs, late...)
	}
	errs = append(errs, analyze(s)...)
	errs = append(errs, late...)
	errs = append(errs, checkContexts(s, b.ctx)...)
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// gqlMessage strips gqlparser's location prefix detail into a plain message.
func gqlMessage(err error) string {
	return err.Error()
}

// rootRenames maps custom root type names (schema { query: RootQuery }) to
// the standard ones, as Apollo does in the supergraph.
func rootRenames(doc *ast.SchemaDocument) map[string]string {
	out := map[string]string{}
	std := map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"}
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, sd := range list {
			for _, ot := range sd.OperationTypes {
				if want := std[ot.Operation]; want != "" && ot.Type != want {
					out[ot.Type] = want
				}
			}
		}
	}
	return out
}

type builder struct {
	s     *Subgraph
	n     names
	roots map[string]string
	errs  diag.List
	ctx   contextState
}

func (b *builder) rename(t string) string {
	if r, ok := b.roots[t]; ok {
		return r
	}
	return t
}

func (b *builder) renameType(t *ast.Type) *ast.Type {
	if t == nil {
		return nil
	}
	c := *t
	c.NamedType = b.rename(t.NamedType)
	c.Elem = b.renameType(t.Elem)
	return &c
}

// canonical returns the federation name of a directive, or "" when the
// directive is not a federation one.
func (b *builder) canonical(d *ast.Directive) string { return b.n.toCanonical[d.Name] }

func (b *builder) addDefinition(d *ast.Definition, ext bool) {
	if federationTypes[d.Name] || d.BuiltIn {
		return
	}
	name := b.rename(d.Name)
	t := b.s.Types[name]
	if t == nil {
		t = &Type{Name: name, Kind: d.Kind}
		b.s.Types[name] = t
		b.s.Order = append(b.s.Order, name)
	} else if t.Kind != d.Kind {
		b.errs.Add("INVALID_GRAPHQL", b.s.Name, name, fmt.Sprintf("[%s] Type %q is extended with a different kind", b.s.Name, name))
		return
	}
	// Federation 1 `extend type` is upgraded to a definition, as Apollo does.
	if !ext || !b.s.Fed2 {
		t.HasBase = true
	}
	if d.Description != "" && t.Description == "" {
		t.Description = d.Description
	}
	for _, i := range d.Interfaces {
		if !t.Implements(b.rename(i)) {
			t.Interfaces = append(t.Interfaces, b.rename(i))
		}
	}
	for _, m := range d.Types {
		if !t.HasMember(b.rename(m)) {
			t.Members = append(t.Members, b.rename(m))
		}
	}
	typeShareable := false
	for _, dir := range d.Directives {
		switch b.canonical(dir) {
		case "key":
			if !stringFields(dir) {
				continue // KEY_INVALID_FIELDS_TYPE, see checkRules
			}
			t.Keys = append(t.Keys, Key{
				Fields:     argString(dir, "fields"),
				Resolvable: argBool(dir, "resolvable", true),
				// Apollo echoes the argument into @join__type exactly when
				// the subgraph wrote it, even as the default `true`.
				ResolvableWritten: dir.Arguments.ForName("resolvable") != nil,
				Extension:         ext && b.s.Fed2,
			})
		case "extends":
			t.Extends = true
		case "interfaceObject":
			t.InterfaceObject = true
		case "shareable":
			typeShareable = true
		case "context":
			b.addContext(t, dir, d.Kind)
		case "external":
			if b.s.Fed2 && d.Kind == ast.Object {
				defer func(from int) {
					for _, f := range t.Fields[from:] {
						f.External = true
					}
				}(len(t.Fields))
			}
		default:
			b.keepApplied(&t.Applied, dir, typeLocation[d.Kind])
		}
	}
	for _, fd := range d.Fields {
		if name == "Query" && (fd.Name == "_service" || fd.Name == "_entities") {
			continue
		}
		loc := ast.LocationFieldDefinition
		if d.Kind == ast.InputObject {
			loc = ast.LocationInputFieldDefinition
		}
		f := b.field(fd, ext, loc)
		if f.Shareable && d.Kind == ast.Interface {
			coord := name + "." + fd.Name
			b.errs.Add("INVALID_SHAREABLE_USAGE", b.s.Name, coord, fmt.Sprintf("[%s] Invalid use of @shareable on field %q: only object type fields can be marked with @shareable", b.s.Name, coord))
		}
		f.Shareable = f.Shareable || typeShareable
		if t.Field(fd.Name) != nil {
			b.errs.Add("INVALID_GRAPHQL", b.s.Name, name+"."+fd.Name, fmt.Sprintf("[%s] Field %q can only be defined once.", b.s.Name, name+"."+fd.Name))
			continue
		}
		t.Fields = append(t.Fields, f)
	}
	if typeShareable {
		t.Shareable = true
	}
	for _, ev := range d.EnumValues {
		v := &EnumValue{Def: &ast.EnumValueDefinition{Name: ev.Name, Description: ev.Description}}
		for _, dir := range ev.Directives {
			b.keepApplied(&v.Applied, dir, ast.LocationEnumValue)
		}
		t.Values = append(t.Values, v)
	}
	for _, dir := range t.Applied {
		if dir.Name == "inaccessible" {
			t.Inaccessible = true
		}
	}
}

// keepApplied keeps the directives that composition carries into the
// supergraph: @inaccessible, @tag, @authenticated, @requiresScopes, @policy,
// @cost, @listSize, @deprecated, @specifiedBy and custom directives (kept only later if
// composed). loc is where the directive is applied.
func (b *builder) keepApplied(list *ast.DirectiveList, dir *ast.Directive, loc ast.DirectiveLocation) {
	canon := b.canonical(dir)
	switch canon {
	case "inaccessible":
		b.s.UsesInaccessible = true
		*list = append(*list, &ast.Directive{Name: "inaccessible", Arguments: dir.Arguments})
	case "tag":
		b.s.UsesTag = true
		*list = append(*list, &ast.Directive{Name: "tag", Arguments: dir.Arguments})
	case "authenticated", "requiresScopes", "policy":
		b.keepAccess(list, dir, canon, loc)
	case "":
		b.checkUnknownFederation(dir)
		// A custom directive named like an access-control one would be
		// merged as access control; it could only reach the supergraph
		// through @composeDirective, where it would clash with the spec.
		// The same holds for the demand-control names.
		if !contains(AccessDirectives, dir.Name) && !contains(CostDirectives, dir.Name) {
			*list = append(*list, dir)
		}
	case "cost", "listSize":
		b.keepCost(list, dir, canon, loc)
	case "context", "fromContext":
		b.errs.Add("INVALID_GRAPHQL", b.s.Name, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" may not be used on %s.", b.s.Name, dir.Name, loc))
	}
}

// field reads one field; loc tells an output field from an input field.
func (b *builder) field(fd *ast.FieldDefinition, ext bool, loc ast.DirectiveLocation) *Field {
	def := &ast.FieldDefinition{
		Name: fd.Name, Description: fd.Description, Type: b.renameType(fd.Type),
		DefaultValue: fd.DefaultValue, Position: fd.Position,
	}
	f := &Field{Def: def, FromExtension: ext}
	for _, dir := range fd.Directives {
		switch b.canonical(dir) {
		case "external":
			f.External = true
		case "shareable":
			f.Shareable = true
		case "requires":
			f.HasRequires, f.Requires = stringFields(dir), argString(dir, "fields")
		case "provides":
			f.HasProvides, f.Provides = stringFields(dir), argString(dir, "fields")
		case "override":
			f.HasOverride, f.OverrideFrom, f.OverrideLabel = true, argString(dir, "from"), argString(dir, "label")
		default:
			b.keepApplied(&f.Applied, dir, loc)
		}
	}
	for _, dir := range f.Applied {
		if dir.Name == "inaccessible" {
			f.Inaccessible = true
		}
	}
	for _, a := range fd.Arguments {
		arg := &ast.ArgumentDefinition{
			Name: a.Name, Description: a.Description, Type: b.renameType(a.Type),
			DefaultValue: a.DefaultValue, Position: a.Position,
		}
		for _, dir := range a.Directives {
			if b.canonical(dir) == "fromContext" && loc == ast.LocationFieldDefinition {
				b.fromContext(f, arg, dir)
				continue
			}
			b.keepApplied(&arg.Directives, dir, ast.LocationArgumentDefinition)
		}
		def.Arguments = append(def.Arguments, arg)
	}
	def.Directives = f.Applied
	return f
}

// readSchemaDirectives records @composeDirective applications.
func (b *builder) readSchemaDirectives(doc *ast.SchemaDocument) {
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, sd := range list {
			for _, d := range sd.Directives {
				if b.canonical(d) == "composeDirective" {
					name := argString(d, "name")
					if len(name) > 1 && name[0] == '@' {
						b.s.Composed = append(b.s.Composed, name[1:])
					}
				}
			}
		}
	}
}

// ensureQuery adds the Query type every federation subgraph has (it hosts
// _entities and _service), so composition sees it even when empty.
func (b *builder) ensureQuery() {
	if b.s.Types["Query"] == nil {
		b.s.Types["Query"] = &Type{Name: "Query", Kind: ast.Object, HasBase: true}
		b.s.Order = append(b.s.Order, "Query")
	}
}

// checkReferences reports references to undefined types, as GraphQL
// validation does.
func checkReferences(s *Subgraph) diag.List {
	var errs diag.List
	known := func(n string) bool { return builtinScalars[n] || s.Types[n] != nil }
	report := func(n string) {
		errs.Add("INVALID_GRAPHQL", s.Name, n, fmt.Sprintf("[%s] Unknown type %s", s.Name, n))
	}
	seen := map[string]bool{}
	check := func(n string) {
		if !known(n) && !seen[n] {
			seen[n] = true
			report(n)
		}
	}
	for _, name := range s.Order {
		t := s.Types[name]
		for _, f := range t.Fields {
			check(f.Def.Type.Name())
			for _, a := range f.Def.Arguments {
				check(a.Type.Name())
			}
		}
		for _, m := range t.Members {
			check(m)
		}
		for _, i := range t.Interfaces {
			check(i)
			it := s.Types[i]
			if it == nil || it.Kind != ast.Interface {
				continue
			}
			for _, f := range it.Fields {
				if t.Field(f.Def.Name) == nil {
					errs.Add("INVALID_GRAPHQL", s.Name, i+"."+f.Def.Name, fmt.Sprintf("[%s] Interface field %s.%s expected but %s %s does not provide it.", s.Name, i, f.Def.Name, strings.ToLower(string(t.Kind)), name))
				}
			}
		}
	}
	return errs
}

package subgraph

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// maxFederationMinor is the newest federation 2 minor version Apollo's
// composition (the pinned oracle) knows; a newer one is refused rather than
// read as if it meant an older one.
const maxFederationMinor = 14

// checkRules applies the validations of one subgraph that do not stop the
// analysis of its federation directives: Apollo reports them together with
// what the analysis finds (an unused external, for example).
func (b *builder) checkRules(doc *ast.SchemaDocument) diag.List {
	var errs diag.List
	name := b.s.Name
	report := func(code, coord, msg string) {
		errs.Add(code, name, coord, fmt.Sprintf("[%s] %s", name, msg))
	}
	if b.s.Fed2 && b.s.Minor > maxFederationMinor {
		report("UNKNOWN_FEDERATION_LINK_VERSION", "", fmt.Sprintf("Invalid version v2.%d for the federation feature in @link direction on schema", b.s.Minor))
	}
	// A custom root type name while a type has the default name.
	defined := map[string]bool{}
	for _, d := range doc.Definitions {
		defined[d.Name] = true
	}
	for custom, std := range b.roots {
		if defined[std] {
			report("ROOT_"+strings.ToUpper(std)+"_USED", std, fmt.Sprintf("The schema has a type named %q but it is not set as the %s root type (%q is instead): this is not supported by federation. If a root type does not use its default name, there should be no other type with that default name.", std, strings.ToLower(std), custom))
		}
	}
	for _, list := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, d := range list {
			for _, dir := range d.Directives {
				if b.canonical(dir) == "key" {
					b.checkFieldsArg(dir, "KEY", d.Name, report)
				}
			}
			for _, fd := range d.Fields {
				coord := d.Name + "." + fd.Name
				for _, dir := range fd.Directives {
					canon := b.canonical(dir)
					if canon == "requires" || canon == "provides" {
						b.checkFieldsArg(dir, strings.ToUpper(canon), coord, report)
					}
					if d.Kind != ast.Interface || !b.s.Fed2 {
						continue
					}
					switch canon {
					case "external":
						report("EXTERNAL_ON_INTERFACE", coord, fmt.Sprintf("Interface type field %q is marked @external but @external is not allowed on interface fields.", coord))
					case "requires", "provides":
						report(strings.ToUpper(canon)+"_UNSUPPORTED_ON_INTERFACE", coord, fmt.Sprintf("Cannot use @%s on field %q of parent type %q: @%s is not yet supported within interfaces", canon, coord, d.Name, canon))
					}
				}
			}
		}
	}
	errs = append(errs, b.checkInterfaceKeys()...)
	errs = append(errs, b.checkPositions()...)
	errs = append(errs, b.checkImplementations()...)
	return errs
}

// checkImplementations refuses union members that are not object types
// and implementation fields whose type is not a subtype of the interface
// field's type.
func (b *builder) checkImplementations() diag.List {
	var errs diag.List
	s := b.s
	for _, name := range s.Order {
		t := s.Types[name]
		for _, m := range t.Members {
			if mt := s.Types[m]; mt != nil && mt.Kind != ast.Object {
				errs.Add("INVALID_GRAPHQL", s.Name, name, fmt.Sprintf("[%s] Union type %s can only include Object types, it cannot include %s.", s.Name, name, m))
			}
		}
		for _, i := range t.Interfaces {
			it := s.Types[i]
			if it == nil || it.Kind != ast.Interface {
				continue
			}
			for _, itf := range it.Fields {
				f := t.Field(itf.Def.Name)
				if f != nil && !s.isSubtype(f.Def.Type, itf.Def.Type) {
					errs.Add("INVALID_GRAPHQL", s.Name, name+"."+f.Def.Name, fmt.Sprintf("[%s] Interface field %s.%s expects type %s but %s.%s is type %s.", s.Name, i, itf.Def.Name, itf.Def.Type.String(), name, f.Def.Name, f.Def.Type.String()))
				}
			}
		}
	}
	return errs
}

// isSubtype is GraphQL's covariance rule for output types: same type, a
// non-null version of it, an implementation or union member of it, and the
// same rules inside lists.
func (s *Subgraph) isSubtype(sub, super *ast.Type) bool {
	if sub.NonNull && !super.NonNull {
		c := *sub
		c.NonNull = false
		return s.isSubtype(&c, super)
	}
	if sub.NonNull != super.NonNull {
		return false
	}
	if (sub.Elem == nil) != (super.Elem == nil) {
		return false
	}
	if sub.Elem != nil {
		return s.isSubtype(sub.Elem, super.Elem)
	}
	if sub.NamedType == super.NamedType {
		return true
	}
	st, pt := s.Types[sub.NamedType], s.Types[super.NamedType]
	if st == nil || pt == nil {
		return false
	}
	return (pt.Kind == ast.Interface && st.Implements(pt.Name)) || (pt.Kind == ast.Union && pt.HasMember(st.Name))
}

// checkPositions refuses output fields of input types and arguments or
// input fields of output types, which GraphQL does not allow.
func (b *builder) checkPositions() diag.List {
	var errs diag.List
	s := b.s
	kindOf := func(t *ast.Type) ast.DefinitionKind {
		if ref := s.Types[t.Name()]; ref != nil {
			return ref.Kind
		}
		return ast.Scalar
	}
	for _, name := range s.Order {
		t := s.Types[name]
		for _, f := range t.Fields {
			coord := name + "." + f.Def.Name
			k := kindOf(f.Def.Type)
			if t.Kind == ast.InputObject {
				if k == ast.Object || k == ast.Interface || k == ast.Union {
					errs.Add("INVALID_GRAPHQL", s.Name, coord, fmt.Sprintf("[%s] The type of %q must be Input Type but got %q.", s.Name, coord, f.Def.Type.String()))
				}
				continue
			}
			if k == ast.InputObject {
				errs.Add("INVALID_GRAPHQL", s.Name, coord, fmt.Sprintf("[%s] The type of %q must be Output Type but got %q.", s.Name, coord, f.Def.Type.String()))
			}
			for _, a := range f.Def.Arguments {
				if k := kindOf(a.Type); k == ast.Object || k == ast.Interface || k == ast.Union {
					errs.Add("INVALID_GRAPHQL", s.Name, coord+"("+a.Name+":)", fmt.Sprintf("[%s] The type of %q must be Input Type but got %q.", s.Name, coord+"("+a.Name+":)", a.Type.String()))
				}
			}
		}
	}
	return errs
}

// checkFieldsArg checks the fields argument of @key, @requires or
// @provides: a string, holding no directive applications.
func (b *builder) checkFieldsArg(dir *ast.Directive, prefix, coord string, report func(code, coord, msg string)) {
	a := dir.Arguments.ForName("fields")
	if a == nil || a.Value == nil {
		return
	}
	if a.Value.Kind != ast.StringValue && a.Value.Kind != ast.BlockValue {
		report(prefix+"_INVALID_FIELDS_TYPE", coord, fmt.Sprintf("On %q, for @%s(fields: %s): Invalid value for argument \"fields\": must be a string.", coord, dir.Name, a.Value.String()))
		return
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: "{" + a.Value.Raw + "}"})
	if err != nil || len(doc.Operations) != 1 {
		return
	}
	if found := directivesIn(doc.Operations[0].SelectionSet); len(found) > 0 {
		report(prefix+"_DIRECTIVE_IN_FIELDS_ARG", coord, fmt.Sprintf("On %q, for @%s(fields: %q): cannot have directive applications in the @%s(fields:) argument but found %s.", coord, dir.Name, a.Value.Raw, dir.Name, strings.Join(found, ", ")))
	}
}

func directivesIn(set ast.SelectionSet) []string {
	var out []string
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, d := range s.Directives {
				out = append(out, "@"+d.Name)
			}
			out = append(out, directivesIn(s.SelectionSet)...)
		case *ast.InlineFragment:
			for _, d := range s.Directives {
				out = append(out, "@"+d.Name)
			}
			out = append(out, directivesIn(s.SelectionSet)...)
		}
	}
	return out
}

// checkInterfaceKeys requires every key of an interface (federation 2.3+)
// on each of its implementations in the subgraph: an entity lookup through
// the interface must work whatever the concrete type.
func (b *builder) checkInterfaceKeys() diag.List {
	var errs diag.List
	s := b.s
	for _, name := range s.Order {
		itf := s.Types[name]
		if itf.Kind != ast.Interface || !s.Fed2 {
			continue
		}
		for _, k := range itf.Keys {
			want := normalizeFieldSet(k.Fields)
			var missing []string
			for _, tn := range s.Order {
				t := s.Types[tn]
				if t.Kind != ast.Object || !t.Implements(name) {
					continue
				}
				found, resolvable := false, false
				for _, tk := range t.Keys {
					if normalizeFieldSet(tk.Fields) == want {
						found, resolvable = true, resolvable || tk.Resolvable
					}
				}
				switch {
				case !found:
					missing = append(missing, fmt.Sprintf("%q", tn))
				case k.Resolvable && !resolvable:
					errs.Add("INTERFACE_KEY_NOT_ON_IMPLEMENTATION", s.Name, name, fmt.Sprintf("[%s] Key @key(fields: %q) on interface type %q should be resolvable on all implementation types, but is declared with argument \"@key(resolvable:)\" set to false in type %q.", s.Name, k.Fields, name, tn))
				}
			}
			if len(missing) > 0 {
				errs.Add("INTERFACE_KEY_NOT_ON_IMPLEMENTATION", s.Name, name, fmt.Sprintf("[%s] Key @key(fields: %q) on interface type %q is missing on implementation types %s.", s.Name, k.Fields, name, strings.Join(missing, ", ")))
			}
		}
	}
	return errs
}

func normalizeFieldSet(fields string) string {
	sels, err := ParseFieldSet(fields)
	if err != nil {
		return fields
	}
	return PrintFieldSet(sels)
}

// stringFields reports whether a directive's fields argument is a string
// (or absent, which GraphQL validation reports); any other value is refused
// by checkRules and the directive is otherwise ignored.
func stringFields(dir *ast.Directive) bool {
	a := dir.Arguments.ForName("fields")
	return a == nil || a.Value == nil || a.Value.Kind == ast.StringValue || a.Value.Kind == ast.BlockValue
}

// OriginalName returns the name a link's import list gives for an element
// imported under the name as ("@logged" imported as {name: "@audit", as:
// "@logged"} gives "@audit"); as itself when it was not renamed.
func (l Link) OriginalName(as string) string {
	if l.Raw == nil {
		return as
	}
	if imp := l.Raw.Arguments.ForName("import"); imp != nil && imp.Value != nil {
		for _, c := range imp.Value.Children {
			if name, a := importName(c.Value); a == as && name != "" {
				return name
			}
		}
	}
	return as
}

package subgraph

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// ContextSubgraphArg is the argument under which a kept @context
// application remembers its subgraph: the supergraph names a context
// "<subgraph>__<name>", and composition needs the subgraph of the first
// application when several subgraphs set the same context on a type.
const ContextSubgraphArg = "__subgraph"

// ContextArg is an argument filled by the router from an ancestor's
// context (@fromContext): it leaves the supergraph's field and becomes a
// contextArguments entry of @join__field.
type ContextArg struct {
	// Name and Type are the argument's name and printed type.
	Name string
	Type string
	// Context is the context name as the subgraph sets it.
	Context string
	// Selection is everything after "$context", spacing kept, which is
	// what the supergraph carries.
	Selection string
	// HasDefault is set when the argument has a default value (an error).
	HasDefault bool
}

// contextState is what one subgraph says about contexts: where each is
// set, in order, and the name @context is applied under.
type contextState struct {
	setOn map[string][]string
	order []string
}

var contextNamePattern = regexp.MustCompile(`^[A-Za-z]\w*$`)

// contextRef splits a @fromContext field value into the context name and
// the selection, as Apollo's parseContext does ("$ctx { a }" gives "ctx"
// and " { a }"); ok is false when no context is referenced.
var contextRef = regexp.MustCompile(`^(?:[\n\r\t ,]|#[^\n\r]*)*\$(?:[\n\r\t ,]|#[^\n\r]*)*([A-Za-z_]\w*)([\s\S]*)$`)

// ParseContextRef reads the field argument of @fromContext.
func ParseContextRef(field string) (context, selection string, ok bool) {
	m := contextRef.FindStringSubmatch(field)
	if m == nil || m[1] == "" || m[2] == "" {
		return "", "", false
	}
	return m[1], m[2], true
}

// addContext records one @context application on a type and keeps it for
// the supergraph under its canonical name.
func (b *builder) addContext(t *Type, dir *ast.Directive, kind ast.DefinitionKind) {
	sub := b.s.Name
	if kind != ast.Object && kind != ast.Interface && kind != ast.Union {
		b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" may not be used on %s.", sub, dir.Name, typeLocation[kind]))
		return
	}
	a := dir.Arguments.ForName("name")
	if a == nil || a.Value == nil || a.Value.Kind != ast.StringValue && a.Value.Kind != ast.BlockValue {
		b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" argument \"name\" of type \"String!\" is required, but it was not provided.", sub, dir.Name))
		return
	}
	name := a.Value.Raw
	switch {
	case strings.Contains(name, "_"):
		b.errs.Add("CONTEXT_NAME_INVALID", sub, t.Name, fmt.Sprintf("[%s] Context name %q may not contain an underscore.", sub, name))
	case !contextNamePattern.MatchString(name):
		b.errs.Add("CONTEXT_NAME_INVALID", sub, t.Name, fmt.Sprintf("[%s] Context name %q is invalid. It should have only alphanumeric characters.", sub, name))
	}
	if b.s.ContextName == "" {
		b.s.ContextName = dir.Name
	}
	if b.ctx.setOn == nil {
		b.ctx.setOn = map[string][]string{}
	}
	if b.ctx.setOn[name] == nil {
		b.ctx.order = append(b.ctx.order, name)
	}
	b.ctx.setOn[name] = append(b.ctx.setOn[name], t.Name)
	t.Applied = append(t.Applied, &ast.Directive{Name: "context", Arguments: ast.ArgumentList{
		{Name: "name", Value: &ast.Value{Kind: ast.StringValue, Raw: name}},
		{Name: ContextSubgraphArg, Value: &ast.Value{Kind: ast.StringValue, Raw: b.s.Name}},
	}})
}

// fromContext reads one @fromContext application on an argument.
func (b *builder) fromContext(f *Field, a *ast.ArgumentDefinition, dir *ast.Directive) {
	field := ""
	if v := dir.Arguments.ForName("field"); v != nil && v.Value != nil {
		field = v.Value.Raw
	}
	ctx, sel, _ := ParseContextRef(field)
	f.ContextArgs = append(f.ContextArgs, ContextArg{
		Name: a.Name, Type: a.Type.String(), Context: ctx, Selection: sel, HasDefault: a.DefaultValue != nil,
	})
	b.s.UsesFromContext = true
}

// checkContexts validates every @fromContext of the subgraph against the
// contexts it sets, with Apollo's codes and messages.
func checkContexts(s *Subgraph, st contextState) diag.List {
	var errs diag.List
	report := func(code, coord, msg string) {
		errs.Add(code, s.Name, coord, fmt.Sprintf("[%s] %s", s.Name, msg))
	}
	for _, name := range s.Order {
		t := s.Types[name]
		for _, f := range t.Fields {
			for _, ca := range f.ContextArgs {
				coord := fmt.Sprintf("%s.%s(%s:)", name, f.Def.Name, ca.Name)
				if t.Kind != ast.Object {
					report("CONTEXT_NOT_SET", coord, fmt.Sprintf("@fromContext argument cannot be used on a field that exists on an abstract type %q.", coord))
					continue
				}
				for _, i := range t.Interfaces {
					if it := s.Types[i]; it != nil && it.Field(f.Def.Name) != nil {
						report("CONTEXT_NOT_SET", coord, fmt.Sprintf("@fromContext argument cannot be used on a field implementing an interface field %q.", i+"."+f.Def.Name))
					}
				}
				if ca.HasDefault {
					report("CONTEXT_NOT_SET", coord, fmt.Sprintf("@fromContext arguments may not have a default value: %q.", coord))
				}
				if ca.Context == "" {
					report("NO_CONTEXT_IN_SELECTION", coord, "@fromContext argument does not reference a context.")
					continue
				}
				if locs := st.setOn[ca.Context]; locs == nil {
					report("CONTEXT_NOT_SET", coord, fmt.Sprintf("Context %q is used at location %q but is never set.", ca.Context, coord))
				} else {
					argType := f.Def.Arguments.ForName(ca.Name).Type
					for _, msg := range checkContextSelection(s, locs, ca.Selection, argType) {
						report("CONTEXT_INVALID_SELECTION", coord, fmt.Sprintf("Context %q is used in %q but the selection is invalid: %s", ca.Context, coord, msg))
					}
				}
				resolvable := false
				for _, k := range t.Keys {
					resolvable = resolvable || k.Resolvable
				}
				if !resolvable {
					report("CONTEXT_NO_RESOLVABLE_KEY", name, fmt.Sprintf("Object %q has no resolvable key but has a field with a contextual argument.", name))
				}
			}
		}
	}
	return errs
}

// checkContextSelection checks a context selection against every type that
// sets the context: one field (possibly nested) or inline fragments on the
// possible runtime types, no aliases or directives, and a value whose type
// fits the argument. It returns the problems found.
func checkContextSelection(s *Subgraph, locs []string, selection string, want *ast.Type) []string {
	src := selection
	if !strings.HasPrefix(strings.TrimSpace(src), "{") {
		src = "{" + src + "}"
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: src})
	if err != nil || len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		if err == nil {
			return []string{"the selection is not a single selection set"}
		}
		return []string{err.Error()}
	}
	sels := doc.Operations[0].SelectionSet
	if len(sels) == 0 {
		return []string{"no selection is made"}
	}
	conditions := map[string]bool{}
	switch first := sels[0].(type) {
	case *ast.Field:
		if len(sels) != 1 {
			return []string{"multiple selections are made"}
		}
	case *ast.InlineFragment:
		for _, sel := range sels {
			frag, ok := sel.(*ast.InlineFragment)
			if !ok {
				return []string{"multiple fields could be selected"}
			}
			if frag.TypeCondition != "" {
				conditions[frag.TypeCondition] = true
			}
		}
		if len(conditions) != len(sels) {
			return []string{"type conditions have same name"}
		}
	default:
		_ = first
		return []string{"fragment spread is not allowed"}
	}
	var problems []string
	used := map[string]bool{}
	for _, loc := range locs {
		lt := s.Types[loc]
		if msg := checkSelectionShape(s, lt, sels); msg != "" {
			return append(problems, fmt.Sprintf("the selection is invalid for type %s. Error: %s", loc, msg))
		}
		if hasAliasOrDirective(sels, true) {
			problems = append(problems, "directives are not allowed in the selection")
		}
		if hasAliasOrDirective(sels, false) {
			problems = append(problems, "aliases are not allowed in the selection")
		}
		if len(conditions) == 0 {
			got := resolvedType(s, lt, sels)
			if got == nil || !fitsArgument(got, want) {
				return append(problems, fmt.Sprintf("the type of the selection %q does not match the expected type %q", typeString(got), want.String()))
			}
			continue
		}
		possible := possibleTypes(s, lt)
		var matched []*ast.InlineFragment
		for _, sel := range sels {
			frag := sel.(*ast.InlineFragment)
			ct := s.Types[frag.TypeCondition]
			if ct == nil || ct.Kind != ast.Object {
				problems = append(problems, "type conditions must be an object type")
				continue
			}
			if possible[frag.TypeCondition] {
				matched = append(matched, frag)
				used[frag.TypeCondition] = true
			}
		}
		if len(matched) == 0 {
			return append(problems, fmt.Sprintf("no type condition matches the location %q", loc))
		}
		for _, frag := range matched {
			got := resolvedType(s, s.Types[frag.TypeCondition], frag.SelectionSet)
			if got == nil {
				return append(problems, fmt.Sprintf("the type of the selection does not match the expected type %q", want.String()))
			}
			if !fitsArgument(got, want) {
				return append(problems, fmt.Sprintf("the type of the selection %q does not match the expected type %q", typeString(got), want.String()))
			}
		}
	}
	for c := range conditions {
		if !used[c] {
			problems = append(problems, fmt.Sprintf("type condition %q is never used.", c))
		}
	}
	return problems
}

// checkSelectionShape validates the selection against a type as GraphQL
// would: known fields, sub-selections exactly on composite types.
func checkSelectionShape(s *Subgraph, t *Type, sels ast.SelectionSet) string {
	for _, sel := range sels {
		switch x := sel.(type) {
		case *ast.Field:
			if x.Name == "__typename" {
				continue
			}
			f := t.Field(x.Name)
			if f == nil || t.Kind == ast.Union {
				return fmt.Sprintf("Cannot query field %q on type %q.", x.Name, t.Name)
			}
			ft := s.Types[f.Def.Type.Name()]
			composite := ft != nil && (ft.Kind == ast.Object || ft.Kind == ast.Interface || ft.Kind == ast.Union)
			switch {
			case composite && len(x.SelectionSet) == 0:
				return fmt.Sprintf("Field %q of type %q must have a selection of subfields.", x.Name, f.Def.Type.String())
			case !composite && len(x.SelectionSet) > 0:
				return fmt.Sprintf("Field %q must not have a selection since type %q has no subfields.", x.Name, f.Def.Type.String())
			case composite:
				if msg := checkSelectionShape(s, ft, x.SelectionSet); msg != "" {
					return msg
				}
			}
		case *ast.InlineFragment:
			ct := t
			if x.TypeCondition != "" {
				if ct = s.Types[x.TypeCondition]; ct == nil {
					return fmt.Sprintf("Unknown type %q.", x.TypeCondition)
				}
			}
			if msg := checkSelectionShape(s, ct, x.SelectionSet); msg != "" {
				return msg
			}
		default:
			return "fragment spread is not allowed"
		}
	}
	return ""
}

func hasAliasOrDirective(sels ast.SelectionSet, directives bool) bool {
	for _, sel := range sels {
		switch x := sel.(type) {
		case *ast.Field:
			if directives && len(x.Directives) > 0 || !directives && x.Alias != "" && x.Alias != x.Name {
				return true
			}
			if hasAliasOrDirective(x.SelectionSet, directives) {
				return true
			}
		case *ast.InlineFragment:
			if directives && len(x.Directives) > 0 || hasAliasOrDirective(x.SelectionSet, directives) {
				return true
			}
		}
	}
	return false
}

// resolvedType is the type of the value a selection yields: the selected
// leaf's type with the lists of every field on the way and no non-null
// wrappers, or nil when the selections disagree.
func resolvedType(s *Subgraph, t *Type, sels ast.SelectionSet) *ast.Type {
	var out *ast.Type
	for i, sel := range sels {
		var got *ast.Type
		if x, ok := sel.(*ast.Field); ok && t != nil {
			if f := t.Field(x.Name); f != nil {
				if len(x.SelectionSet) == 0 {
					got = wrapLists(f.Def.Type, &ast.Type{NamedType: f.Def.Type.Name()})
				} else if inner := resolvedType(s, s.Types[f.Def.Type.Name()], x.SelectionSet); inner != nil {
					got = wrapLists(f.Def.Type, inner)
				}
			}
		}
		if i == 0 {
			out = got
			continue
		}
		if out == nil || got == nil || out.String() != got.String() {
			out = nil
		}
	}
	return out
}

// wrapLists wraps inner in the list levels of original, dropping non-null.
func wrapLists(original, inner *ast.Type) *ast.Type {
	if original.Elem == nil {
		return inner
	}
	return &ast.Type{Elem: wrapLists(original.Elem, inner)}
}

// fitsArgument reports whether a selected value of type got may fill an
// argument of type want (Apollo's isValidImplementationFieldType).
func fitsArgument(got, want *ast.Type) bool {
	if got.NonNull {
		g := *got
		g.NonNull = false
		if want.NonNull {
			w := *want
			w.NonNull = false
			return fitsArgument(&g, &w)
		}
		return fitsArgument(&g, want)
	}
	if got.Elem != nil && want.Elem != nil && !want.NonNull {
		return fitsArgument(got.Elem, want.Elem)
	}
	return got.Elem == nil && want.Elem == nil && !want.NonNull && got.NamedType == want.NamedType
}

func typeString(t *ast.Type) string {
	if t == nil {
		return "undefined"
	}
	return t.String()
}

// possibleTypes are the object types a value of type t may have.
func possibleTypes(s *Subgraph, t *Type) map[string]bool {
	out := map[string]bool{}
	switch t.Kind {
	case ast.Object:
		out[t.Name] = true
	case ast.Union:
		for _, m := range t.Members {
			out[m] = true
		}
	case ast.Interface:
		for _, name := range s.Order {
			if o := s.Types[name]; o.Kind == ast.Object && o.Implements(t.Name) {
				out[name] = true
			}
		}
	}
	return out
}

// ParseSelection parses a context selection such as " { a { b } }" or
// " ... on T { a }" into the field set model.
func ParseSelection(selection string) ([]Selection, error) {
	if strings.HasPrefix(strings.TrimSpace(selection), "{") {
		selection = strings.TrimSpace(selection)
		selection = selection[1 : len(selection)-1]
	}
	return ParseFieldSet(selection)
}

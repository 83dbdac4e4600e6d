package subgraph

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// AccessDirectives are the access-control directives (federation v2.5+),
// in the order Apollo registers them.
var AccessDirectives = []string{"authenticated", "requiresScopes", "policy"}

// AccessArgument is the one argument of @requiresScopes and @policy.
var AccessArgument = map[string]string{"requiresScopes": "scopes", "policy": "policies"}

// accessArgType is the argument type Apollo reports in its messages.
var accessArgType = map[string]string{"requiresScopes": "[[federation__Scope!]!]!", "policy": "[[federation__Policy!]!]!"}

// typeLocation is the directive location of a type definition.
var typeLocation = map[ast.DefinitionKind]ast.DirectiveLocation{
	ast.Object: ast.LocationObject, ast.Interface: ast.LocationInterface, ast.Union: ast.LocationUnion,
	ast.Enum: ast.LocationEnum, ast.InputObject: ast.LocationInputObject, ast.Scalar: ast.LocationScalar,
}

// accessLocations are where the access-control directives may be applied.
var accessLocations = map[ast.DirectiveLocation]bool{
	ast.LocationFieldDefinition: true, ast.LocationObject: true, ast.LocationInterface: true,
	ast.LocationScalar: true, ast.LocationEnum: true,
}

// keepAccess validates one @authenticated, @requiresScopes or @policy
// application and keeps it under its canonical name, remembering the name
// the subgraph used so that the supergraph can keep it.
func (b *builder) keepAccess(list *ast.DirectiveList, dir *ast.Directive, canon string, loc ast.DirectiveLocation) {
	sub := b.s.Name
	if !accessLocations[loc] {
		b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" may not be used on %s.", sub, dir.Name, loc))
		return
	}
	want := AccessArgument[canon]
	for i, a := range dir.Arguments {
		if a.Name == want && dir.Arguments[:i].ForName(want) != nil {
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] There can be only one argument named %q.", sub, want))
			return
		}
		if a.Name != want {
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Unknown argument %q on directive \"@%s\".", sub, a.Name, dir.Name))
			return
		}
	}
	if want != "" {
		a := dir.Arguments.ForName(want)
		if a == nil || a.Value == nil {
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" argument %q of type %q is required, but it was not provided.", sub, dir.Name, want, accessArgType[canon]))
			return
		}
		if _, ok := ListOfLists(a.Value); !ok {
			// Apollo passes other shapes through unchanged, but then merges
			// them into nonsense; a clear error is kinder to the reader.
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Argument %q of \"@%s\" must be a list of lists of strings, such as [[\"read:users\"]].", sub, want, dir.Name))
			return
		}
	}
	if _, seen := b.s.Access[canon]; !seen {
		b.s.Access[canon] = dir.Name
	}
	*list = append(*list, &ast.Directive{Name: canon, Arguments: dir.Arguments})
}

// ListOfLists reads a @requiresScopes or @policy argument: a disjunction
// of conjunctions of strings.
func ListOfLists(v *ast.Value) ([][]string, bool) {
	if v == nil || v.Kind != ast.ListValue {
		return nil, false
	}
	out := make([][]string, 0, len(v.Children))
	for _, c := range v.Children {
		if c.Value == nil || c.Value.Kind != ast.ListValue {
			return nil, false
		}
		inner := make([]string, 0, len(c.Value.Children))
		for _, s := range c.Value.Children {
			if s.Value == nil || (s.Value.Kind != ast.StringValue && s.Value.Kind != ast.BlockValue) {
				return nil, false
			}
			inner = append(inner, s.Value.Raw)
		}
		out = append(out, inner)
	}
	return out, true
}

// checkUnknownFederation reports a namespaced federation directive that
// the linked federation version does not define (for example
// @federation__policy under federation/v2.5), as GraphQL validation does.
func (b *builder) checkUnknownFederation(dir *ast.Directive) {
	for _, p := range b.n.prefixes {
		name, ok := strings.CutPrefix(dir.Name, p+"__")
		if ok && contains(fedDirectives, name) {
			b.errs.Add("INVALID_GRAPHQL", b.s.Name, "@"+dir.Name, fmt.Sprintf("[%s] Unknown directive \"@%s\".", b.s.Name, dir.Name))
			return
		}
	}
}

// checkAccessOnInterfaces reports access control on interfaces, interface
// fields and @interfaceObject types: composition derives an interface's
// requirements from its implementations instead.
func (b *builder) checkAccessOnInterfaces() {
	report := func(canon, kind, coord string) {
		name := b.s.Access[canon]
		b.errs.Add("AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE", b.s.Name, coord, fmt.Sprintf(
			"[%s] Invalid use of @%s on %s %q: @%s cannot be applied on interfaces, interface fields and interface objects",
			b.s.Name, name, kind, coord, name))
	}
	for _, name := range b.s.Order {
		t := b.s.Types[name]
		kind := ""
		switch {
		case t.Kind == ast.Interface:
			kind = "interface"
		case t.InterfaceObject:
			kind = "interface object"
		default:
			continue
		}
		for _, d := range t.Applied {
			if contains(AccessDirectives, d.Name) {
				report(d.Name, kind, name)
			}
		}
		if t.Kind != ast.Interface {
			continue
		}
		for _, f := range t.Fields {
			for _, d := range f.Applied {
				if contains(AccessDirectives, d.Name) {
					report(d.Name, "field", name+"."+f.Def.Name)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

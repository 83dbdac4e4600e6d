package check

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// Dangerous lists the changes from oldSDL to newSDL that keep every
// existing operation valid but can still surprise clients:
//
//   - ENUM_VALUE_ADDED: a value added to an enum clients read (an output
//     enum); an exhaustive switch in a client meets a value it does not know.
//   - UNION_MEMBER_ADDED, INTERFACE_IMPLEMENTATION_ADDED: a field may now
//     return a type the client's fragments do not cover.
//   - ARGUMENT_DEFAULT_CHANGED, INPUT_FIELD_DEFAULT_CHANGED: operations that
//     leave the value out now ask for something else.
//   - AUTHENTICATED_ADDED, REQUIRES_SCOPES_ADDED, POLICY_ADDED (and the
//     _CHANGED forms): callers without the credential now get null and an
//     error where they got data.
func Dangerous(oldSDL, newSDL string) ([]Change, error) {
	oldAPI, err := apiTypes(oldSDL)
	if err != nil {
		return nil, fmt.Errorf("dangerous: old supergraph: %w", err)
	}
	newAPI, err := apiTypes(newSDL)
	if err != nil {
		return nil, fmt.Errorf("dangerous: new supergraph: %w", err)
	}
	outputEnums := outputEnumNames(newAPI)
	var out []Change
	add := func(code, coord, format string, args ...any) {
		out = append(out, Change{Code: code, Coordinate: coord, Message: fmt.Sprintf(format, args...)})
	}
	for _, name := range sortedNames(oldAPI) {
		o, n := oldAPI[name], newAPI[name]
		if n == nil || o.Kind != n.Kind {
			continue // a breaking change, reported by Breaking
		}
		authChanges(name, o.Directives, n.Directives, add)
		switch o.Kind {
		case ast.Enum:
			if !outputEnums[name] {
				continue
			}
			for _, v := range n.EnumValues {
				if o.EnumValues.ForName(v.Name) == nil {
					add("ENUM_VALUE_ADDED", name+"."+v.Name, "value %s was added to enum %s, which clients read in responses", v.Name, name)
				}
			}
		case ast.Union:
			for _, m := range n.Types {
				if !contains(o.Types, m) {
					add("UNION_MEMBER_ADDED", name, "%s was added to union %s", m, name)
				}
			}
		case ast.InputObject:
			for _, of := range o.Fields {
				if nf := n.Fields.ForName(of.Name); nf != nil && valueString(of.DefaultValue) != valueString(nf.DefaultValue) {
					coord := name + "." + of.Name
					add("INPUT_FIELD_DEFAULT_CHANGED", coord, "default of input field %s changed from %s to %s", coord, valueString(of.DefaultValue), valueString(nf.DefaultValue))
				}
			}
		case ast.Object, ast.Interface:
			for _, of := range o.Fields {
				nf := n.Fields.ForName(of.Name)
				if nf == nil {
					continue
				}
				coord := name + "." + of.Name
				authChanges(coord, of.Directives, nf.Directives, add)
				for _, oa := range of.Arguments {
					na := nf.Arguments.ForName(oa.Name)
					if na != nil && valueString(oa.DefaultValue) != valueString(na.DefaultValue) {
						argCoord := fmt.Sprintf("%s(%s:)", coord, oa.Name)
						add("ARGUMENT_DEFAULT_CHANGED", argCoord, "default of argument %s changed from %s to %s", argCoord, valueString(oa.DefaultValue), valueString(na.DefaultValue))
					}
				}
			}
		}
	}
	// New implementations of an interface that existed before.
	for _, name := range sortedNames(newAPI) {
		n := newAPI[name]
		if n.Kind != ast.Object {
			continue
		}
		o := oldAPI[name]
		for _, itf := range n.Interfaces {
			if oi := oldAPI[itf]; oi == nil || oi.Kind != ast.Interface {
				continue
			}
			if o == nil || !contains(o.Interfaces, itf) {
				add("INTERFACE_IMPLEMENTATION_ADDED", itf, "%s now implements %s", name, itf)
			}
		}
	}
	return out, nil
}

// authDirectives are the access-control directives whose appearance on an
// existing element changes who gets data.
var authDirectives = []struct{ name, code string }{
	{"authenticated", "AUTHENTICATED"},
	{"requiresScopes", "REQUIRES_SCOPES"},
	{"policy", "POLICY"},
}

func authChanges(coord string, old, new ast.DirectiveList, add addFunc) {
	for _, a := range authDirectives {
		od, nd := old.ForName(a.name), new.ForName(a.name)
		switch {
		case od == nil && nd != nil:
			add(a.code+"_ADDED", coord, "@%s%s was added to %s: callers without it now get null and an error", a.name, directiveArgs(nd), coord)
		case od != nil && nd != nil && directiveArgs(od) != directiveArgs(nd):
			add(a.code+"_CHANGED", coord, "@%s on %s changed from %s to %s", a.name, coord, directiveArgs(od), directiveArgs(nd))
		}
	}
}

func directiveArgs(d *ast.Directive) string {
	if len(d.Arguments) == 0 {
		return ""
	}
	s := "("
	for i, a := range d.Arguments {
		if i > 0 {
			s += ", "
		}
		s += a.Name + ": " + valueString(a.Value)
	}
	return s + ")"
}

func valueString(v *ast.Value) string {
	if v == nil {
		return "(none)"
	}
	return v.String()
}

// outputEnumNames are the enums some output field returns (directly or in
// a list): adding a value to those can reach a client in a response.
func outputEnumNames(api map[string]*ast.Definition) map[string]bool {
	out := map[string]bool{}
	for _, d := range api {
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			continue
		}
		for _, f := range d.Fields {
			if t := api[f.Type.Name()]; t != nil && t.Kind == ast.Enum {
				out[t.Name] = true
			}
		}
	}
	return out
}

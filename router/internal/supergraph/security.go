package supergraph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// The authorization features the router enforces (see internal/authz).
const (
	specAuthenticated  = "authenticated"
	specRequiresScopes = "requiresScopes"
	specPolicy         = "policy"
)

// implementedFeatures are the features the router implements; the link
// spec requires refusing a supergraph that links any other feature for
// SECURITY or EXECUTION, since serving it would ignore rules the graph
// relies on.
var implementedFeatures = map[string]bool{
	"link": true, "core": true, "join": true, "inaccessible": true,
	specAuthenticated: true, specRequiresScopes: true, specPolicy: true,
	"context": true,
}

// Access is the authorization requirement of one field or type, as the
// authorization directives state it. Every part must hold.
type Access struct {
	// Authenticated requires verified claims.
	Authenticated bool
	// Scopes is an OR of AND-lists of scopes; nil means no scope is needed.
	Scopes [][]string
	// Policies is an OR of AND-lists of policy names; nil means no policy
	// is needed.
	Policies [][]string
}

// AccessRules are the authorization directives of a supergraph: by type
// name ("Product") and by field coordinate ("Query.me").
type AccessRules struct {
	Types  map[string]Access
	Fields map[string]Access
}

// Empty reports whether the supergraph applies no authorization directive.
func (r AccessRules) Empty() bool { return len(r.Types) == 0 && len(r.Fields) == 0 }

// checkPurposes refuses links (or fed1 @core features) whose purpose is
// SECURITY or EXECUTION when the router does not implement the feature.
func checkPurposes(doc *ast.SchemaDocument) error {
	for _, d := range schemaDirectives(doc) {
		var url string
		switch d.Name {
		case "link":
			url = argString(d, "url")
		case "core":
			url = argString(d, "feature")
		default:
			continue
		}
		purpose := ""
		if a := d.Arguments.ForName("for"); a != nil && a.Value != nil {
			purpose = a.Value.Raw
		}
		if purpose != "SECURITY" && purpose != "EXECUTION" {
			continue
		}
		if name, _ := parseSpecURL(url); !implementedFeatures[name] {
			return fmt.Errorf("the supergraph links %s for %s, which this router does not implement", url, purpose)
		}
	}
	return nil
}

func schemaDirectives(doc *ast.SchemaDocument) ast.DirectiveList {
	var dirs ast.DirectiveList
	for _, sd := range doc.Schema {
		dirs = append(dirs, sd.Directives...)
	}
	for _, sd := range doc.SchemaExtension {
		dirs = append(dirs, sd.Directives...)
	}
	return dirs
}

// authDirectiveNames maps the local names of the linked authorization
// directives (honouring "as" and import renames) to their feature.
func authDirectiveNames(doc *ast.SchemaDocument) map[string]string {
	out := map[string]string{}
	for _, d := range schemaDirectives(doc) {
		if d.Name != "link" {
			continue
		}
		name, _ := parseSpecURL(argString(d, "url"))
		if name != specAuthenticated && name != specRequiresScopes && name != specPolicy {
			continue
		}
		local := name
		if as := argString(d, "as"); as != "" {
			local = as
		}
		if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
			for _, c := range imp.Value.Children {
				if c.Value.Kind != ast.ObjectValue {
					continue
				}
				n, as := c.Value.Children.ForName("name"), c.Value.Children.ForName("as")
				if n != nil && as != nil && strings.TrimPrefix(n.Raw, "@") == name {
					local = strings.TrimPrefix(as.Raw, "@")
				}
			}
		}
		out[local] = name
	}
	return out
}

// AccessRules reads @authenticated, @requiresScopes and @policy from
// fields, objects, interfaces, scalars and enums.
func (s *Supergraph) AccessRules() AccessRules {
	rules := AccessRules{Types: map[string]Access{}, Fields: map[string]Access{}}
	names := authDirectiveNames(s.doc)
	if len(names) == 0 {
		return rules
	}
	for _, name := range s.order {
		d := s.defs[name]
		if s.specs.isSpecType(name) {
			continue
		}
		switch d.Kind {
		case ast.Object, ast.Interface, ast.Scalar, ast.Enum:
		default:
			continue
		}
		if a, ok := readAccess(d.Directives, names); ok {
			rules.Types[name] = a
		}
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			continue
		}
		for _, f := range d.Fields {
			if a, ok := readAccess(f.Directives, names); ok {
				rules.Fields[name+"."+f.Name] = a
			}
		}
	}
	return rules
}

func readAccess(dirs ast.DirectiveList, names map[string]string) (Access, bool) {
	var a Access
	found := false
	for _, d := range dirs {
		switch names[d.Name] {
		case specAuthenticated:
			a.Authenticated, found = true, true
		case specRequiresScopes:
			a.Scopes, found = andAll(a.Scopes, listOfLists(d, "scopes")), true
		case specPolicy:
			a.Policies, found = andAll(a.Policies, listOfLists(d, "policies")), true
		}
	}
	return a, found
}

// listOfLists reads a [[String!]!]! argument; a missing one reads as no
// alternative at all, which no request satisfies.
func listOfLists(d *ast.Directive, arg string) [][]string {
	a := d.Arguments.ForName(arg)
	out := [][]string{}
	if a == nil || a.Value == nil {
		return out
	}
	for _, alt := range a.Value.Children {
		var and []string
		if alt.Value.Kind == ast.ListValue {
			for _, c := range alt.Value.Children {
				and = append(and, c.Value.Raw)
			}
		} else {
			and = append(and, alt.Value.Raw)
		}
		sort.Strings(and)
		out = append(out, and)
	}
	return out
}

// andAll combines two OR-of-AND requirements that must both hold; nil
// means no requirement.
func andAll(a, b [][]string) [][]string {
	if a == nil {
		return b
	}
	out := [][]string{}
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(append([]string{}, x...), y...))
		}
	}
	return out
}

package supergraph

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// builtinDirectives are the directives every GraphQL schema has; they survive
// every schema transformation done here.
var builtinDirectives = map[string]bool{
	"deprecated": true, "specifiedBy": true, "oneOf": true, "skip": true, "include": true,
}

// builtinScalars never need a declaration in a generated SDL.
var builtinScalars = map[string]bool{
	"Int": true, "Float": true, "String": true, "Boolean": true, "ID": true,
}

// specs records which names in the supergraph belong to core/link features
// (join, link, core, inaccessible, tag, ...), so that they can be stripped
// from every schema the router derives.
type specs struct {
	join         string // prefix of join directives and types, "join" unless renamed
	joinVersion  string // "0.1" ... "0.5"
	inaccessible string // name of the inaccessible directive, "" when not linked
	prefixes     map[string]bool
	imported     map[string]bool // directive names (without @) and type names imported unprefixed
}

// detectSpecs reads @link (fed2) or @core (fed1) applications on the schema
// definition. Specs named in neither keep their default names.
func detectSpecs(doc *ast.SchemaDocument) specs {
	s := specs{join: "join", prefixes: map[string]bool{}, imported: map[string]bool{}}
	var dirs ast.DirectiveList
	for _, sd := range doc.Schema {
		dirs = append(dirs, sd.Directives...)
	}
	for _, sd := range doc.SchemaExtension {
		dirs = append(dirs, sd.Directives...)
	}
	for _, d := range dirs {
		var url string
		switch d.Name {
		case "link":
			url = argString(d, "url")
		case "core":
			url = argString(d, "feature")
		default:
			continue
		}
		name, version := parseSpecURL(url)
		if name == "" {
			continue
		}
		prefix := name
		if as := argString(d, "as"); as != "" {
			prefix = as
		}
		s.prefixes[prefix] = true
		switch name {
		case "join":
			s.join, s.joinVersion = prefix, version
		case "inaccessible":
			s.inaccessible = prefix
		}
		if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
			for _, c := range imp.Value.Children {
				v := c.Value
				local := ""
				switch v.Kind {
				case ast.StringValue:
					local = v.Raw
				case ast.ObjectValue:
					if as := v.Children.ForName("as"); as != nil {
						local = as.Raw
					} else if n := v.Children.ForName("name"); n != nil {
						local = n.Raw
					}
				}
				local = strings.TrimPrefix(local, "@")
				if local == "" {
					continue
				}
				s.imported[local] = true
				if name == "inaccessible" {
					s.inaccessible = local
				}
			}
		}
	}
	// Supergraphs always link join; fall back to the default names when the
	// schema definition was stripped.
	s.prefixes[s.join] = true
	s.prefixes["link"] = true
	s.prefixes["core"] = true
	if s.inaccessible == "" {
		s.inaccessible = "inaccessible"
	}
	return s
}

// parseSpecURL splits "https://specs.apollo.dev/join/v0.3" into ("join", "0.3").
func parseSpecURL(url string) (name, version string) {
	parts := strings.Split(strings.TrimRight(url, "/"), "/")
	if len(parts) < 2 {
		return "", ""
	}
	v := parts[len(parts)-1]
	if !strings.HasPrefix(v, "v") {
		return parts[len(parts)-1], ""
	}
	return parts[len(parts)-2], strings.TrimPrefix(v, "v")
}

// isSpecType reports whether a type definition is machinery of a linked spec.
func (s specs) isSpecType(name string) bool {
	if i := strings.Index(name, "__"); i > 0 && s.prefixes[name[:i]] {
		return true
	}
	return false
}

// isSpecDirective reports whether a directive belongs to a linked spec.
func (s specs) isSpecDirective(name string) bool {
	if s.prefixes[name] || s.imported[name] || name == s.inaccessible {
		return true
	}
	return s.isSpecType(name)
}

func (s specs) dir(local string) string { return s.join + "__" + local }

func argString(d *ast.Directive, name string) string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind == ast.NullValue {
		return ""
	}
	return a.Value.Raw
}

func argBool(d *ast.Directive, name string, def bool) bool {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.BooleanValue {
		return def
	}
	return a.Value.Raw == "true"
}

func hasArg(d *ast.Directive, name string) bool {
	a := d.Arguments.ForName(name)
	return a != nil && a.Value != nil && a.Value.Kind != ast.NullValue
}

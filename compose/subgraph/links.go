package subgraph

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// fedDirectives are the federation 2 directives under their canonical names.
var fedDirectives = []string{
	"key", "requires", "provides", "external", "shareable", "extends", "override",
	"inaccessible", "tag", "interfaceObject", "composeDirective", "authenticated",
	"requiresScopes", "policy", "context", "fromContext", "cost", "listSize",
}

// fedIntroduced is the federation 2 minor version that introduced each
// directive added after v2.0; importing one from an older version is an
// error, as it is for Apollo.
var fedIntroduced = map[string]int{
	"composeDirective": 1, "interfaceObject": 3, "authenticated": 5, "requiresScopes": 5,
	"policy": 6, "context": 8, "fromContext": 8, "cost": 9, "listSize": 9,
}

// fed1Directives are the directives a Federation 1 subgraph may use without @link.
var fed1Directives = []string{"key", "requires", "provides", "external", "extends", "inaccessible", "tag"}

var fedURL = regexp.MustCompile(`^https://specs\.apollo\.dev/federation/v2\.(\d+)$`)

// names maps directive names as written in one subgraph to canonical
// federation names, so the rest of the code never deals with renames.
type names struct {
	toCanonical map[string]string
	fed2        bool
	minor       int
	links       []Link
	// prefixes are the namespaces federation directives are reachable
	// under without an import ("federation" unless renamed with `as:`).
	prefixes []string
	// bad holds the names imported from a federation version that does
	// not define them.
	bad []string
}

// resolveNames inspects the schema's @link applications.
func resolveNames(doc *ast.SchemaDocument) names {
	n := names{toCanonical: map[string]string{}}
	var schemaDirs ast.DirectiveList
	for _, s := range doc.Schema {
		schemaDirs = append(schemaDirs, s.Directives...)
	}
	for _, s := range doc.SchemaExtension {
		schemaDirs = append(schemaDirs, s.Directives...)
	}
	for _, d := range schemaDirs {
		if d.Name != "link" {
			continue
		}
		url := argString(d, "url")
		m := fedURL.FindStringSubmatch(url)
		if m == nil {
			if !strings.HasPrefix(url, "https://specs.apollo.dev/link/") {
				n.links = append(n.links, Link{URL: url, Imports: linkImports(d), Raw: d})
			}
			continue
		}
		n.fed2 = true
		n.minor, _ = strconv.Atoi(m[1])
		prefix := "federation"
		if as := argString(d, "as"); as != "" {
			prefix = as
		}
		n.prefixes = append(n.prefixes, prefix)
		for _, name := range fedDirectives {
			if fedIntroduced[name] <= n.minor {
				n.toCanonical[prefix+"__"+name] = name
			}
		}
		if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
			for _, c := range imp.Value.Children {
				name, as := importName(c.Value)
				if !strings.HasPrefix(name, "@") {
					continue
				}
				canon := strings.TrimPrefix(name, "@")
				if since, ok := fedIntroduced[canon]; ok && since > n.minor {
					n.bad = append(n.bad, name)
					continue
				}
				n.toCanonical[strings.TrimPrefix(as, "@")] = canon
			}
		}
	}
	if !n.fed2 {
		for _, name := range fed1Directives {
			n.toCanonical[name] = name
		}
	}
	return n
}

// importName reads one entry of an @link import list.
func importName(v *ast.Value) (name, as string) {
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		return v.Raw, v.Raw
	case ast.ObjectValue:
		for _, c := range v.Children {
			switch c.Name {
			case "name":
				name = c.Value.Raw
			case "as":
				as = c.Value.Raw
			}
		}
		if as == "" {
			as = name
		}
	}
	return name, as
}

func linkImports(d *ast.Directive) []string {
	var out []string
	if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
		for _, c := range imp.Value.Children {
			_, as := importName(c.Value)
			out = append(out, as)
		}
	}
	return out
}

// argString returns a string argument's raw value, or "".
func argString(d *ast.Directive, name string) string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return ""
	}
	return a.Value.Raw
}

// argBool returns a boolean argument, or def when absent.
func argBool(d *ast.Directive, name string, def bool) bool {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.BooleanValue {
		return def
	}
	return a.Value.Raw == "true"
}

// federationTypes are types that subgraph servers add for the federation
// protocol; they never reach the supergraph.
var federationTypes = map[string]bool{
	"_Service": true, "_Entity": true, "_Any": true, "FieldSet": true, "_FieldSet": true,
	"federation__FieldSet": true, "link__Import": true, "link__Purpose": true,
	"federation__Scope": true, "federation__Policy": true, "requiresScopes__Scope": true, "policy__Policy": true, "federation__ContextFieldValue": true,
	"federation__Selection": true, "openfed__FieldSet": true,
}

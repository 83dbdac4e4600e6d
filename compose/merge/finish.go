package merge

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// checkInterfaceObjectDefined reports an @interfaceObject type that no
// subgraph defines as a real interface, and subgraphs that use
// @interfaceObject while also defining implementations.
func (m *merger) checkInterfaceObjectDefined(name string) {
	var asObject []string
	real := false
	for _, s := range m.subs {
		t := s.Types[name]
		switch {
		case t == nil:
		case t.InterfaceObject:
			asObject = append(asObject, s.Name)
		case t.Kind == ast.Interface:
			real = true
		}
	}
	if len(asObject) > 0 && !real {
		m.errs.Add("INTERFACE_OBJECT_USAGE_ERROR", "", name, fmt.Sprintf("Type %q is declared with @interfaceObject in all the subgraphs in which it is defined (it is defined in %s but should be defined as an interface in at least one subgraph)", name, subgraphList(asObject)))
	}
	for _, s := range m.subs {
		t := s.Types[name]
		if t == nil || !t.InterfaceObject {
			continue
		}
		for impl := range m.impls[name] {
			if s.Types[impl] != nil {
				m.errs.Add("INTERFACE_OBJECT_USAGE_ERROR", s.Name, name, fmt.Sprintf("[%s] Interface type %q is defined as an @interfaceObject in subgraph %q so that subgraph should not define any of the implementation types of %q, but it defines type %q", s.Name, name, s.Name, name, impl))
			}
		}
	}
}

// checkInterfaceKeys reports interfaces with a resolvable key in a subgraph
// that does not define all of the interface's implementations.
func (m *merger) checkInterfaceKeys(name string, srcs []*subgraph.Type) {
	var all []string
	for impl := range m.impls[name] {
		if m.kinds[impl] == ast.Object {
			all = append(all, impl)
		}
	}
	sort.Strings(all)
	for i, t := range srcs {
		if t == nil || t.Kind != ast.Interface {
			continue
		}
		resolvable := false
		for _, k := range t.Keys {
			resolvable = resolvable || k.Resolvable
		}
		if !resolvable {
			continue
		}
		var missing []string
		for _, impl := range all {
			it := m.subs[i].Types[impl]
			if it == nil || !it.Implements(name) {
				missing = append(missing, impl)
			}
		}
		if len(missing) > 0 {
			m.errs.Add("INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE", m.subs[i].Name, name, fmt.Sprintf("[%s] Interface type %q has a resolvable key in subgraph %q but that subgraph is missing some of the supergraph implementation types of %q. Subgraph %q should define %s (and have them implement %q).", m.subs[i].Name, name, m.subs[i].Name, name, m.subs[i].Name, strings.Join(missing, ", "), name))
		}
	}
}

// addInterfaceObjectFields adds to each implementation the interface fields
// that some subgraph provides through an @interfaceObject, resolved by no
// particular subgraph (an argument-less @join__field).
func (m *merger) addInterfaceObjectFields() {
	for _, t := range m.merged {
		if t.Kind != ast.Object {
			continue
		}
		for _, itfName := range t.Interfaces {
			itf := m.merged[itfName]
			if itf == nil {
				continue
			}
			for _, f := range itf.Fields {
				if t.Field(f.Name) != nil || !m.providedByInterfaceObject(itfName, f.Name) {
					continue
				}
				// Apollo copies the interface field's directives, then adds
				// an argument-less @join__field after them.
				nf := &supergraph.Field{Name: f.Name, Description: f.Description, Type: f.Type, Args: f.Args}
				for _, d := range f.Directives {
					if !strings.HasPrefix(d.Name, "join__") {
						nf.Directives = append(nf.Directives, d)
					}
				}
				nf.Directives = append(nf.Directives, supergraph.Directive{Name: "join__field"})
				t.Fields = append(t.Fields, nf)
			}
		}
	}
}

func (m *merger) providedByInterfaceObject(itf, field string) bool {
	for _, s := range m.subs {
		t := s.Types[itf]
		if t != nil && t.InterfaceObject {
			if f := t.Field(field); f != nil && !f.IsExternal() {
				return true
			}
		}
	}
	return false
}

// collectComposedDirectives gathers @composeDirective definitions and the
// @link that imports each of them.
func (m *merger) collectComposedDirectives() {
	links := map[string]*supergraph.Link{}
	var linkOrder []string
	for _, s := range m.subs {
		for _, name := range s.Composed {
			def := s.Directives[name]
			if def == nil {
				m.errs.Add("DIRECTIVE_COMPOSITION_ERROR", s.Name, "@"+name, fmt.Sprintf("[%s] Could not find matching directive definition for argument to @composeDirective \"@%s\".", s.Name, name))
				continue
			}
			if m.composed[name] == nil {
				m.composed[name] = def
				m.out.DirectiveDefs = append(m.out.DirectiveDefs, def)
			}
			linked := false
			for _, l := range s.Links {
				if !contains(l.Imports, "@"+name) {
					continue
				}
				linked = true
				if links[l.URL] == nil {
					links[l.URL] = &supergraph.Link{URL: l.URL}
					linkOrder = append(linkOrder, l.URL)
				}
				// The supergraph keeps the subgraph's renaming.
				imp := supergraph.Import{Name: "@" + name}
				if orig := l.OriginalName("@" + name); orig != imp.Name {
					imp = supergraph.Import{Name: orig, As: "@" + name}
				}
				if !slices.Contains(links[l.URL].Imports, imp) {
					links[l.URL].Imports = append(links[l.URL].Imports, imp)
				}
			}
			if !linked {
				m.errs.Add("DIRECTIVE_COMPOSITION_ERROR", s.Name, "@"+name, fmt.Sprintf("[%s] Directive \"@%s\" in subgraph %q cannot be composed because it is not a member of a core feature", s.Name, name, s.Name))
			}
		}
	}
	for _, u := range linkOrder {
		m.out.Links = append(m.out.Links, *links[u])
	}
}

// finish drops object types left without fields, checks the query root and
// @inaccessible references, and adds the feature links in use.
func (m *merger) finish(order []string) {
	for _, name := range order {
		t := m.merged[name]
		if t == nil {
			continue
		}
		if t.Kind == ast.Object && len(t.Fields) == 0 {
			delete(m.merged, name)
			continue
		}
		m.out.Types = append(m.out.Types, t)
	}
	if m.merged["Query"] == nil {
		m.errs.Add("NO_QUERIES", "", "Query", "No queries found in any subgraph: a supergraph must have a query root type.")
	}
	m.out.Mutation = m.merged["Mutation"] != nil
	m.out.Subscription = m.merged["Subscription"] != nil
	// Feature links come in Apollo's order: by first use, subgraph by
	// subgraph, in the order the federation spec registers them.
	var extra []supergraph.Link
	used := map[string]bool{}
	for _, s := range m.subs {
		for _, f := range featureOrder {
			if !used[f] && usesFeature(s, f) {
				used[f] = true
				extra = append(extra, m.featureLink(f))
			}
		}
	}
	if used["inaccessible"] {
		m.checkInaccessible()
		m.checkOnlyInaccessibleChildren()
		m.checkInaccessibleRules()
	}
	m.out.Links = append(extra, m.out.Links...)
	// Apollo runs its post-merge validations only on a clean merge.
	if len(m.errs) == 0 {
		m.checkInterfaceFieldsImplemented()
	}
}

// featureOrder is the order in which the federation spec registers the
// features composition links into the supergraph.
var featureOrder = []string{"tag", "inaccessible", "authenticated", "requiresScopes", "policy", "cost", "context"}

func usesFeature(s *subgraph.Subgraph, f string) bool {
	switch f {
	case "tag":
		return s.UsesTag
	case "inaccessible":
		return s.UsesInaccessible
	case "cost":
		return len(s.Cost) > 0
	case "context":
		return usesContext(s)
	}
	_, ok := s.Access[f]
	return ok
}

// featureLink adds one feature's definitions to the supergraph and returns
// its @link. Access-control directives keep the name the subgraphs apply
// them under (they must agree), imported under that name.
func (m *merger) featureLink(f string) supergraph.Link {
	switch f {
	case "tag":
		m.addDirectiveDef(supergraph.TagDirective)
		return supergraph.Link{URL: "https://specs.apollo.dev/tag/v0.3"}
	case "inaccessible":
		m.addDirectiveDef(supergraph.InaccessibleDirective)
		return supergraph.Link{URL: "https://specs.apollo.dev/inaccessible/v0.2", For: "SECURITY"}
	case "cost":
		return m.costLink()
	case "context":
		return m.contextLink()
	}
	spec := supergraph.AccessSpecs[f]
	l := supergraph.Link{URL: spec.URL, For: "SECURITY"}
	name := m.accessName(f)
	def := spec.Directive
	if name != f {
		l.Imports = []supergraph.Import{{Name: "@" + f, As: "@" + name}}
		def = strings.Replace(def, "directive @"+f, "directive @"+name, 1)
		m.renameApplied(f, name)
	}
	m.addDirectiveDef(def)
	if spec.Scalar != "" {
		m.out.Types = append(m.out.Types, &supergraph.Type{Kind: ast.Scalar, Name: spec.Scalar})
	}
	return l
}

// accessName is the name the subgraphs apply an access-control directive
// under; subgraphs that disagree are reported.
func (m *merger) accessName(f string) string {
	name, first := "", ""
	for _, s := range m.subs {
		n, ok := s.Access[f]
		switch {
		case !ok:
		case name == "":
			name, first = n, s.Name
		case n != name:
			m.errs.Add("LINK_IMPORT_NAME_MISMATCH", s.Name, "@"+f, fmt.Sprintf(
				"The \"@%s\" directive is imported with mismatched name between subgraphs: it is imported as \"@%s\" in subgraph %q but \"@%s\" in subgraph %q",
				f, n, s.Name, name, first))
			return name
		}
	}
	return name
}

// renameApplied renames every application of a directive in the supergraph.
func (m *merger) renameApplied(from, to string) {
	rename := func(ds []supergraph.Directive) {
		for i := range ds {
			if ds[i].Name == from {
				ds[i].Name = to
			}
		}
	}
	for _, t := range m.out.Types {
		rename(t.Directives)
		for _, f := range t.Fields {
			rename(f.Directives)
			for _, a := range f.Args {
				rename(a.Directives)
			}
		}
		for _, v := range t.Values {
			rename(v.Directives)
		}
	}
}

func (m *merger) addDirectiveDef(sdl string) {
	def, err := supergraph.ParseDirectiveDef(sdl)
	if err != nil {
		m.errs.Add("INVALID_GRAPHQL", "", "", err.Error())
		return
	}
	m.out.DirectiveDefs = append(m.out.DirectiveDefs, def)
}

func hasDirective(ds []supergraph.Directive, name string) bool {
	for _, d := range ds {
		if d.Name == name {
			return true
		}
	}
	return false
}

// checkInaccessible reports @inaccessible types still referenced by
// elements that remain in the API schema.
func (m *merger) checkInaccessible() {
	hidden := func(typeRef string) (string, bool) {
		name := strings.Trim(typeRef, "[]!")
		t := m.merged[name]
		return name, t != nil && hasDirective(t.Directives, "inaccessible")
	}
	for _, t := range m.out.Types {
		if hasDirective(t.Directives, "inaccessible") {
			continue
		}
		for _, f := range t.Fields {
			if hasDirective(f.Directives, "inaccessible") {
				continue
			}
			coord := t.Name + "." + f.Name
			if name, ok := hidden(f.Type); ok {
				m.errs.Add("REFERENCED_INACCESSIBLE", "", coord, fmt.Sprintf("Type %q is @inaccessible but is referenced by %q, which is in the API schema.", name, coord))
			}
			for _, a := range f.Args {
				if hasDirective(a.Directives, "inaccessible") {
					continue
				}
				if name, ok := hidden(a.Type); ok {
					argCoord := fmt.Sprintf("%s(%s:)", coord, a.Name)
					m.errs.Add("REFERENCED_INACCESSIBLE", "", argCoord, fmt.Sprintf("Type %q is @inaccessible but is referenced by %q, which is in the API schema.", name, argCoord))
				}
			}
		}
	}
}

package merge

import (
	"fmt"
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
				nf := &supergraph.Field{Name: f.Name, Description: f.Description, Type: f.Type, Args: f.Args}
				nf.Directives = append(nf.Directives, supergraph.Directive{Name: "join__field"})
				for _, d := range f.Directives {
					if !strings.HasPrefix(d.Name, "join__") {
						nf.Directives = append(nf.Directives, d)
					}
				}
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
			for _, l := range s.Links {
				if !contains(l.Imports, "@"+name) {
					continue
				}
				if links[l.URL] == nil {
					links[l.URL] = &supergraph.Link{URL: l.URL}
					linkOrder = append(linkOrder, l.URL)
				}
				if !contains(links[l.URL].Imports, "@"+name) {
					links[l.URL].Imports = append(links[l.URL].Imports, "@"+name)
				}
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
	inaccessible, tag, auth := false, false, false
	for _, s := range m.subs {
		inaccessible = inaccessible || s.UsesInaccessible
		tag = tag || s.UsesTag
		auth = auth || s.UsesAuthenticated
	}
	// Feature links follow Apollo's order: tag, inaccessible, authenticated.
	var extra []supergraph.Link
	if tag {
		extra = append(extra, supergraph.Link{URL: "https://specs.apollo.dev/tag/v0.3"})
		m.addDirectiveDef(supergraph.TagDirective)
	}
	if inaccessible {
		extra = append(extra, supergraph.Link{URL: "https://specs.apollo.dev/inaccessible/v0.2", For: "SECURITY"})
		m.addDirectiveDef(supergraph.InaccessibleDirective)
		m.checkInaccessible()
	}
	if auth {
		extra = append(extra, supergraph.Link{URL: "https://specs.apollo.dev/authenticated/v0.1", For: "SECURITY"})
		m.addDirectiveDef(supergraph.AuthenticatedDirective)
	}
	m.out.Links = append(extra, m.out.Links...)
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

// Package satisfiability proves that every field of a composed supergraph's
// API schema can be fetched from the query (or mutation, subscription) root
// across the subgraphs, the check Apollo's composition calls validation.
// It reads the supergraph model only (its join directives), so it sees the
// subgraphs exactly as a router does.
package satisfiability

import (
	"strconv"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// key is one resolvable @key of a type in a subgraph.
type key struct {
	graph int
	sels  []subgraph.Selection
	// interfaceObject marks a key declared on an @interfaceObject type.
	interfaceObject bool
}

// fieldSource is how one subgraph serves one field.
type fieldSource struct {
	external bool
	// overridden: the subgraph declares the field but another subgraph
	// took it over with @override.
	overridden bool
	requires   []subgraph.Selection
	provides   []subgraph.Selection
}

// typeInfo is what the join directives say about one supergraph type.
type typeInfo struct {
	def *supergraph.Type
	// in[g]: the type exists in subgraph g; ioIn[g]: as an @interfaceObject.
	in   map[int]bool
	ioIn map[int]bool
	keys []key
	// implements[g] lists the interfaces the type implements in subgraph g;
	// members[g] the union members in g.
	implements map[int]map[string]bool
	members    map[int]map[string]bool
	fields     map[string]*fieldInfo
}

// fieldInfo is a field and, per subgraph, where it is declared.
type fieldInfo struct {
	def *supergraph.Field
	// joined is false when the field has no @join__field at all: it is then
	// served by every subgraph that defines the type.
	joined  bool
	sources map[int]*fieldSource
}

// graph is the supergraph seen from the subgraphs.
type graph struct {
	names []string
	types map[string]*typeInfo
	// implementations lists, per interface, the API object types
	// implementing it.
	implementations map[string][]string
	roots           []string
}

func build(s *supergraph.Schema) *graph {
	g := &graph{types: map[string]*typeInfo{}, implementations: map[string][]string{}}
	enum := map[string]int{}
	for i, gr := range s.Graphs {
		enum[gr.Enum] = i
		g.names = append(g.names, gr.Name)
	}
	graphOf := func(d supergraph.Directive) (int, bool) {
		v := arg(d, "graph")
		i, ok := enum[v]
		return i, ok && v != ""
	}
	for _, t := range s.Types {
		if t.Kind != ast.Object && t.Kind != ast.Interface && t.Kind != ast.Union {
			continue
		}
		ti := &typeInfo{def: t, in: map[int]bool{}, ioIn: map[int]bool{}, implements: map[int]map[string]bool{}, members: map[int]map[string]bool{}, fields: map[string]*fieldInfo{}}
		for _, d := range t.Directives {
			gi, ok := graphOf(d)
			if !ok {
				continue
			}
			switch d.Name {
			case "join__type":
				ti.in[gi] = true
				io := arg(d, "isInterfaceObject") == "true"
				if io {
					ti.ioIn[gi] = true
				}
				if k := unquote(arg(d, "key")); k != "" && arg(d, "resolvable") != "false" {
					if sels, err := subgraph.ParseFieldSet(k); err == nil {
						ti.keys = append(ti.keys, key{graph: gi, sels: sels, interfaceObject: io})
					}
				}
			case "join__implements":
				if ti.implements[gi] == nil {
					ti.implements[gi] = map[string]bool{}
				}
				ti.implements[gi][unquote(arg(d, "interface"))] = true
			case "join__unionMember":
				if ti.members[gi] == nil {
					ti.members[gi] = map[string]bool{}
				}
				ti.members[gi][unquote(arg(d, "member"))] = true
			}
		}
		for _, f := range t.Fields {
			fi := &fieldInfo{def: f, sources: map[int]*fieldSource{}}
			for _, d := range f.Directives {
				if d.Name != "join__field" {
					continue
				}
				fi.joined = true
				gi, ok := graphOf(d)
				if !ok {
					continue
				}
				// A labelled (progressive) override may still route to
				// the source subgraph, so the source keeps serving it.
				src := &fieldSource{
					external:   arg(d, "external") == "true",
					overridden: arg(d, "usedOverridden") == "true" && arg(d, "overrideLabel") == "",
				}
				if r := unquote(arg(d, "requires")); r != "" {
					src.requires, _ = subgraph.ParseFieldSet(r)
				}
				if p := unquote(arg(d, "provides")); p != "" {
					src.provides, _ = subgraph.ParseFieldSet(p)
				}
				fi.sources[gi] = src
			}
			ti.fields[f.Name] = fi
		}
		g.types[t.Name] = ti
	}
	for _, t := range s.Types {
		if t.Kind == ast.Object && !inaccessible(t.Directives) {
			for _, i := range t.Interfaces {
				g.implementations[i] = append(g.implementations[i], t.Name)
			}
		}
	}
	g.roots = []string{"Query"}
	if s.Mutation {
		g.roots = append(g.roots, "Mutation")
	}
	if s.Subscription {
		g.roots = append(g.roots, "Subscription")
	}
	return g
}

// source returns how subgraph gi serves field f of type t, or nil when it
// does not declare it.
func (g *graph) source(t, f string, gi int) *fieldSource {
	ti := g.types[t]
	if ti == nil || !ti.in[gi] {
		return nil
	}
	fi := ti.fields[f]
	if fi == nil {
		return nil
	}
	if !fi.joined {
		return &fieldSource{}
	}
	return fi.sources[gi]
}

func arg(d supergraph.Directive, name string) string {
	for _, a := range d.Args {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

func unquote(v string) string {
	if s, err := strconv.Unquote(v); err == nil {
		return s
	}
	return strings.Trim(v, `"`)
}

func inaccessible(ds []supergraph.Directive) bool {
	for _, d := range ds {
		if d.Name == "inaccessible" {
			return true
		}
	}
	return false
}

// namedType strips list and non-null wrappers from a printed type.
func namedType(t string) string {
	return strings.Trim(t, "[]!")
}

package supergraph

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
)

// Subgraph is everything the engine needs to build one data source.
type Subgraph struct {
	Graph
	// SDL is the subgraph schema rebuilt from the supergraph; it serves as
	// both the upstream schema and the federation service SDL.
	SDL string
	// Metadata is the planner's view of what the subgraph can resolve.
	Metadata *plan.DataSourceMetadata
	// ContextOnly marks the second data source of a subgraph with context
	// arguments: it resolves only those fields, by entity fetch, so that
	// the router can fill the arguments from the ancestors of each entity.
	ContextOnly bool
}

// Subgraphs builds the SDL and planner metadata of every subgraph.
func (s *Supergraph) Subgraphs() ([]Subgraph, error) {
	allKeys := s.allKeys()
	out := make([]Subgraph, 0, len(s.graphs))
	for _, g := range s.graphs {
		md, err := s.metadata(g, allKeys)
		if err != nil {
			return nil, fmt.Errorf("subgraph %s: %w", g.graph.Name, err)
		}
		sdl := s.printSubgraphSDL(g)
		out = append(out, Subgraph{Graph: g.graph, SDL: sdl, Metadata: md})
		if cmd := s.contextMetadata(g); cmd != nil {
			out = append(out, Subgraph{Graph: g.graph, SDL: sdl, Metadata: cmd, ContextOnly: true})
		}
	}
	return out, nil
}

// allKeys lists, per type, every distinct key field set declared by any
// subgraph: candidates for implicit keys elsewhere.
func (s *Supergraph) allKeys() map[string][]string {
	out := map[string][]string{}
	for _, g := range s.graphs {
		for _, name := range g.order {
			for _, k := range g.types[name].keys {
				if !containsFieldSet(out[name], k.fields) {
					out[name] = append(out[name], k.fields)
				}
			}
		}
	}
	return out
}

func containsFieldSet(list []string, fs string) bool {
	n := normalizeFieldSet(fs)
	for _, x := range list {
		if normalizeFieldSet(x) == n {
			return true
		}
	}
	return false
}

type metadataBuilder struct {
	s       *Supergraph
	g       *subgraph
	md      *plan.DataSourceMetadata
	allKeys map[string][]string
	isRoot  map[string]bool
}

func (s *Supergraph) metadata(g *subgraph, allKeys map[string][]string) (*plan.DataSourceMetadata, error) {
	b := &metadataBuilder{s: s, g: g, md: &plan.DataSourceMetadata{}, allKeys: allKeys, isRoot: map[string]bool{}}
	for _, name := range g.order {
		t := g.types[name]
		if t.kind != ast.Object && t.kind != ast.Interface {
			continue
		}
		if err := b.addType(t); err != nil {
			return nil, fmt.Errorf("type %s: %w", name, err)
		}
	}
	if err := b.addProvidedKeys(); err != nil {
		return nil, err
	}
	b.flushNodes()
	return b.md, nil
}

// resolvableKeyFields are the fields that count as resolvable although
// marked external: key fields of type extensions (Federation 1 style).
func resolvableKeyFields(t *typ) map[string]bool {
	out := map[string]bool{}
	for _, k := range t.keys {
		if !k.extension {
			continue
		}
		if sel, err := parseFieldSet(k.fields); err == nil {
			for _, x := range sel {
				if f, ok := x.(*ast.Field); ok {
					out[f.Name] = true
				}
			}
		}
	}
	return out
}

func (b *metadataBuilder) fieldNames(t *typ) (names, external []string) {
	keyFields := resolvableKeyFields(t)
	for _, f := range t.fields {
		switch {
		case len(f.contextArgs) > 0:
			// Resolved by the subgraph's context data source only.
		case f.overridden:
			external = append(external, f.name)
		case f.external && !keyFields[f.name]:
			external = append(external, f.name)
		default:
			names = append(names, f.name)
		}
	}
	return names, external
}

func (b *metadataBuilder) addType(t *typ) error {
	md := b.md
	if b.s.roots.has(t.name) {
		b.isRoot[t.name] = true
	}
	for _, k := range t.keys {
		md.Keys = append(md.Keys, plan.FederationFieldConfiguration{
			TypeName: t.name, SelectionSet: k.fields, DisableEntityResolver: !k.resolvable,
		})
		b.isRoot[t.name] = true
	}
	for _, fs := range b.allKeys[t.name] {
		if t.hasKey(fs) {
			continue
		}
		if b.fieldSetResolvable(t.name, fs) {
			md.Keys = append(md.Keys, plan.FederationFieldConfiguration{
				TypeName: t.name, SelectionSet: fs, DisableEntityResolver: true,
			})
			b.isRoot[t.name] = true
			continue
		}
		// A subgraph holding only part of a compound key can still start a
		// chain towards it: the planner gathers the missing members from
		// other subgraphs when it may use such a subset as a fallback jump.
		if sub := b.resolvableSubset(t.name, fs); sub != "" && !containsFieldSet(b.keySets(t.name), sub) {
			md.Keys = append(md.Keys, plan.FederationFieldConfiguration{
				TypeName: t.name, SelectionSet: sub, DisableEntityResolver: true,
			})
			b.isRoot[t.name] = true
		}
	}
	for _, f := range t.fields {
		if f.requires != "" && !f.overridden {
			md.Requires = append(md.Requires, plan.FederationFieldConfiguration{
				TypeName: t.name, FieldName: f.name, SelectionSet: f.requires,
			})
		}
		if f.provides != "" && !f.overridden {
			md.Provides = append(md.Provides, plan.FederationFieldConfiguration{
				TypeName: t.name, FieldName: f.name, SelectionSet: f.provides,
			})
		}
	}
	if t.kind != ast.Interface {
		return nil
	}
	concrete := b.s.concreteTypes(t.name)
	switch {
	case t.interfaceObject:
		md.InterfaceObjects = append(md.InterfaceObjects, plan.EntityInterfaceConfiguration{
			InterfaceTypeName: t.name, ConcreteTypeNames: concrete,
		})
		names, external := b.fieldNames(t)
		for _, c := range concrete {
			md.RootNodes = append(md.RootNodes, plan.TypeField{TypeName: c, FieldNames: names, ExternalFieldNames: external})
			for _, k := range t.keys {
				md.Keys = append(md.Keys, plan.FederationFieldConfiguration{
					TypeName: c, SelectionSet: k.fields, DisableEntityResolver: !k.resolvable,
				})
			}
		}
	case len(t.keys) > 0:
		md.EntityInterfaces = append(md.EntityInterfaces, plan.EntityInterfaceConfiguration{
			InterfaceTypeName: t.name, ConcreteTypeNames: concrete,
		})
	}
	return nil
}

// flushNodes emits root and child nodes once every key (explicit, implicit
// and conditional) is known.
func (b *metadataBuilder) flushNodes() {
	var roots, children []plan.TypeField
	for _, name := range b.g.order {
		t := b.g.types[name]
		if t.kind != ast.Object && t.kind != ast.Interface {
			continue
		}
		names, external := b.fieldNames(t)
		tf := plan.TypeField{TypeName: name, FieldNames: names, ExternalFieldNames: external}
		if b.isRoot[name] {
			roots = append(roots, tf)
		} else {
			children = append(children, tf)
		}
	}
	b.md.RootNodes = append(roots, b.md.RootNodes...)
	b.md.ChildNodes = children
}

// FieldConfigurations lists an argument configuration for every field that
// takes arguments: graphql-go-tools forwards arguments only for those.
func (s *Supergraph) FieldConfigurations() plan.FieldConfigurations {
	var out plan.FieldConfigurations
	ctx := s.Contexts()
	for _, d := range s.userTypes() {
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			continue
		}
		for _, f := range d.Fields {
			args := f.Arguments
			if cf, ok := ctx.Fields[d.Name+"."+f.Name]; ok {
				args = withContextArgs(f, cf.Args)
			}
			if len(args) == 0 {
				continue
			}
			fc := plan.FieldConfiguration{TypeName: d.Name, FieldName: f.Name}
			for _, a := range args {
				fc.Arguments = append(fc.Arguments, plan.ArgumentConfiguration{Name: a.Name, SourceType: plan.FieldArgumentSource})
			}
			out = append(out, fc)
		}
	}
	return out
}

// Package supergraph reads an Apollo join-spec supergraph (join v0.1 with
// @core, v0.2-v0.5 with @link) and derives what the router needs from it:
// each subgraph's SDL and graphql-go-tools planner metadata, the client (API)
// schema and the router schema.
package supergraph

import (
	"errors"
	"fmt"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Supergraph is a parsed supergraph with every subgraph extracted.
type Supergraph struct {
	doc   *ast.SchemaDocument
	specs specs
	defs  map[string]*ast.Definition
	// order keeps the supergraph's definition order for stable output.
	order []string
	// impls maps an interface to the object types implementing it.
	impls  map[string][]string
	roots  rootTypes
	graphs []*subgraph
	fed1   bool
	// labels are the active progressive-override labels (override.go).
	labels map[string]bool
}

// rootTypes names the root operation types of the supergraph.
type rootTypes struct {
	query, mutation, subscription string
}

func (r rootTypes) has(name string) bool {
	return name != "" && (name == r.query || name == r.mutation || name == r.subscription)
}

// Parse reads a supergraph SDL and extracts its subgraphs.
func Parse(sdl string) (*Supergraph, error) { return parse(sdl, nil) }

// parse reads the supergraph with the progressive-override labels in
// labels active (nil: each label decided once, see labelActive).
func parse(sdl string, labels map[string]bool) (*Supergraph, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("parse supergraph: %w", err)
	}
	if err := checkPurposes(doc); err != nil {
		return nil, fmt.Errorf("parse supergraph: %w", err)
	}
	s := &Supergraph{doc: doc, specs: detectSpecs(doc), defs: map[string]*ast.Definition{}, impls: map[string][]string{}}
	s.fed1 = s.specs.joinVersion == "0.1"
	s.labels = labels
	for _, d := range doc.Definitions {
		if _, dup := s.defs[d.Name]; dup {
			mergeDefinition(s.defs[d.Name], d)
			continue
		}
		s.defs[d.Name] = d
		s.order = append(s.order, d.Name)
	}
	for _, d := range doc.Extensions {
		if base, ok := s.defs[d.Name]; ok {
			mergeDefinition(base, d)
		} else {
			s.defs[d.Name] = d
			s.order = append(s.order, d.Name)
		}
	}
	s.roots = rootTypes{query: "Query", mutation: "Mutation", subscription: "Subscription"}
	if len(doc.Schema) > 0 {
		s.roots = rootTypes{}
		for _, sd := range doc.Schema {
			for _, op := range sd.OperationTypes {
				switch op.Operation {
				case ast.Query:
					s.roots.query = op.Type
				case ast.Mutation:
					s.roots.mutation = op.Type
				case ast.Subscription:
					s.roots.subscription = op.Type
				}
			}
		}
	}
	for _, name := range s.order {
		d := s.defs[name]
		if d.Kind == ast.Object || d.Kind == ast.Interface {
			for _, i := range d.Interfaces {
				s.impls[i] = append(s.impls[i], name)
			}
		}
	}
	if err := s.extract(); err != nil {
		return nil, fmt.Errorf("extract subgraphs: %w", err)
	}
	return s, nil
}

func mergeDefinition(base, ext *ast.Definition) {
	base.Directives = append(base.Directives, ext.Directives...)
	base.Interfaces = append(base.Interfaces, ext.Interfaces...)
	base.Fields = append(base.Fields, ext.Fields...)
	base.Types = append(base.Types, ext.Types...)
	base.EnumValues = append(base.EnumValues, ext.EnumValues...)
}

// Graphs lists the subgraphs in join__Graph order.
func (s *Supergraph) Graphs() []Graph {
	out := make([]Graph, len(s.graphs))
	for i, g := range s.graphs {
		out[i] = g.graph
	}
	return out
}

// Fed1 reports whether the supergraph uses join v0.1 (Federation 1).
func (s *Supergraph) Fed1() bool { return s.fed1 }

// concreteTypes returns the object types that a type name can be at runtime:
// itself for objects, implementations (transitively) for interfaces, members
// for unions.
func (s *Supergraph) concreteTypes(name string) []string {
	var out []string
	s.collectConcrete(name, map[string]bool{}, &out)
	return out
}

// collectConcrete guards against interfaces implementing each other in a
// cycle, which a malformed supergraph may contain.
func (s *Supergraph) collectConcrete(name string, seen map[string]bool, out *[]string) {
	d := s.defs[name]
	if d == nil || seen[name] {
		return
	}
	seen[name] = true
	switch d.Kind {
	case ast.Object:
		if !slices.Contains(*out, name) {
			*out = append(*out, name)
		}
	case ast.Union:
		for _, m := range d.Types {
			if md := s.defs[m]; md != nil && md.Kind == ast.Object && !slices.Contains(*out, m) {
				*out = append(*out, m)
			}
		}
	case ast.Interface:
		for _, impl := range s.impls[name] {
			s.collectConcrete(impl, seen, out)
		}
	}
}

func (s *Supergraph) userTypes() []*ast.Definition {
	out := make([]*ast.Definition, 0, len(s.order))
	for _, name := range s.order {
		if s.specs.isSpecType(name) {
			continue
		}
		out = append(out, s.defs[name])
	}
	return out
}

func (s *Supergraph) graphByEnum(enum string) (*subgraph, error) {
	for _, g := range s.graphs {
		if g.graph.Enum == enum {
			return g, nil
		}
	}
	return nil, fmt.Errorf("unknown join__Graph value %q", enum)
}

func (s *Supergraph) collectGraphs() error {
	enum := s.defs[s.specs.dir("Graph")]
	if enum == nil || enum.Kind != ast.Enum {
		return errors.New("no join__Graph enum: not a join-spec supergraph")
	}
	for _, v := range enum.EnumValues {
		d := v.Directives.ForName(s.specs.dir("graph"))
		if d == nil {
			return fmt.Errorf("join__Graph value %s has no @join__graph", v.Name)
		}
		s.graphs = append(s.graphs, &subgraph{
			graph: Graph{Enum: v.Name, Name: argString(d, "name"), URL: argString(d, "url")},
			types: map[string]*typ{},
		})
	}
	if len(s.graphs) == 0 {
		return errors.New("join__Graph has no values")
	}
	return nil
}

// Package merge composes parsed subgraphs into a supergraph following the
// Federation 2 composition rules: shareability, value types, interfaces and
// unions across subgraphs, enum and input merging by usage, argument
// intersection, @override, @interfaceObject, @inaccessible, @tag, access
// control (@authenticated, @requiresScopes, @policy) and @composeDirective.
// Problems carry Apollo's composition error codes and are
// all collected before returning.
package merge

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

type merger struct {
	subs     []*subgraph.Subgraph
	graphs   []string
	out      *supergraph.Schema
	errs     diag.List
	merged   map[string]*supergraph.Type
	kinds    map[string]ast.DefinitionKind
	impls    map[string]map[string]bool // interface -> implementing types (all subgraphs)
	members  map[string]map[string]bool // union -> members (all subgraphs)
	composed map[string]*ast.DirectiveDefinition
	enumUse  map[string]*enumUsage
}

type enumUsage struct {
	position string // Input, Output or Both
	examples map[string]string
}

// Compose merges the subgraphs, given in the order they should appear in
// join__Graph (callers sort them by name).
func Compose(subs []*subgraph.Subgraph) (*supergraph.Schema, diag.List) {
	m := &merger{
		subs:     subs,
		out:      &supergraph.Schema{},
		merged:   map[string]*supergraph.Type{},
		kinds:    map[string]ast.DefinitionKind{},
		impls:    map[string]map[string]bool{},
		members:  map[string]map[string]bool{},
		composed: map[string]*ast.DirectiveDefinition{},
		enumUse:  map[string]*enumUsage{},
	}
	m.graphNames()
	order := m.collectTypes()
	m.collectComposedDirectives()
	m.mergeExecutableDirectives()
	var enums []string
	for _, name := range order {
		switch m.kinds[name] {
		case ast.Enum:
			enums = append(enums, name)
		case "":
			// kind mismatch already reported
		default:
			m.mergeType(name)
		}
	}
	for _, name := range enums {
		m.mergeType(name)
	}
	m.addInterfaceObjectFields()
	m.mergeInheritedAccess()
	if len(m.errs) == 0 {
		// Like Apollo's post-merge validations, on a consistent supergraph only.
		m.checkTransitiveAccess()
		m.checkContextAccess()
	}
	m.finish(order)
	if len(m.errs) > 0 {
		return nil, m.errs
	}
	return m.out, nil
}

var invalidEnumChars = regexp.MustCompile(`[^A-Za-z0-9_]`)

// graphNames builds the join__Graph enum values from subgraph names.
func (m *merger) graphNames() {
	used := map[string]int{}
	maxMinor := 0
	for _, s := range m.subs {
		n := invalidEnumChars.ReplaceAllString(strings.ToUpper(s.Name), "_")
		if n == "" || (n[0] >= '0' && n[0] <= '9') {
			n = "_" + n
		}
		if c := used[n]; c > 0 {
			used[n] = c + 1
			n = fmt.Sprintf("%s_%d", n, c)
		} else {
			used[n] = 1
		}
		m.graphs = append(m.graphs, n)
		m.out.Graphs = append(m.out.Graphs, supergraph.Graph{Enum: n, Name: s.Name, URL: s.URL})
		if s.Minor > maxMinor {
			maxMinor = s.Minor
		}
	}
	switch {
	case maxMinor >= 8:
		m.out.JoinMinor = 5
	case maxMinor == 7:
		m.out.JoinMinor = 4
	default:
		m.out.JoinMinor = 3
	}
}

// kindOf is a type's kind for merging: @interfaceObject types count as interfaces.
func kindOf(t *subgraph.Type) ast.DefinitionKind {
	if t.InterfaceObject {
		return ast.Interface
	}
	return t.Kind
}

var kindNames = map[ast.DefinitionKind]string{
	ast.Object: "Object Type", ast.Interface: "Interface Type", ast.Union: "Union Type",
	ast.Enum: "Enum Type", ast.InputObject: "Input Object Type", ast.Scalar: "Scalar Type",
}

// collectTypes lists every type in first-appearance order, checks kinds
// agree, and gathers implementations and union members across subgraphs.
func (m *merger) collectTypes() []string {
	var order []string
	firstIn := map[string]int{}
	mismatched := map[string]bool{}
	for i, s := range m.subs {
		for _, name := range s.Order {
			t := s.Types[name]
			k := kindOf(t)
			prev, seen := m.kinds[name]
			if !seen && !mismatched[name] {
				m.kinds[name] = k
				firstIn[name] = i
				order = append(order, name)
			} else if seen && prev != k {
				mismatched[name] = true
				delete(m.kinds, name)
				m.errs.Add("TYPE_KIND_MISMATCH", "", name, fmt.Sprintf(
					"Type %q has mismatched kind: it is defined as %s in subgraph %q but %s in subgraph %q",
					name, kindNames[prev], m.subs[firstIn[name]].Name, kindNames[k], s.Name))
			}
			for _, itf := range t.Interfaces {
				if m.impls[itf] == nil {
					m.impls[itf] = map[string]bool{}
				}
				m.impls[itf][name] = true
			}
			for _, mem := range t.Members {
				if m.members[name] == nil {
					m.members[name] = map[string]bool{}
				}
				m.members[name][mem] = true
			}
		}
	}
	for _, name := range order {
		if m.kinds[name] == ast.Interface {
			m.checkInterfaceObjectDefined(name)
		}
	}
	return order
}

// sources returns, per subgraph, the subgraph's version of a type (or nil).
func (m *merger) sources(name string) []*subgraph.Type {
	out := make([]*subgraph.Type, len(m.subs))
	for i, s := range m.subs {
		out[i] = s.Types[name]
	}
	return out
}

func (m *merger) mergeType(name string) {
	srcs := m.sources(name)
	dest := &supergraph.Type{Kind: m.kinds[name], Name: name}
	dest.Description = mergeDescriptions(typeDescs(srcs))
	m.checkExtensionWithNoBase(name, srcs)
	m.addJoinTypes(dest, srcs)
	switch dest.Kind {
	case ast.Object, ast.Interface:
		m.mergeComposite(dest, srcs)
	case ast.Union:
		m.mergeUnion(dest, srcs)
	case ast.Enum:
		m.mergeEnum(dest, srcs)
	case ast.InputObject:
		m.mergeInput(dest, srcs)
	}
	var applied []ast.DirectiveList
	for _, t := range srcs {
		if t != nil {
			applied = append(applied, t.Applied)
		}
	}
	dest.Directives = append(dest.Directives, m.mergeApplied(applied)...)
	m.merged[name] = dest
}

func typeDescs(srcs []*subgraph.Type) []string {
	var out []string
	for _, t := range srcs {
		if t != nil {
			out = append(out, t.Description)
		}
	}
	return out
}

func (m *merger) checkExtensionWithNoBase(name string, srcs []*subgraph.Type) {
	if name == "Query" || name == "Mutation" || name == "Subscription" {
		return
	}
	for _, t := range srcs {
		if t != nil && t.HasBase {
			return
		}
	}
	for i, t := range srcs {
		if t != nil {
			m.errs.Add("EXTENSION_WITH_NO_BASE", m.subs[i].Name, name, fmt.Sprintf(
				"[%s] Type %q is an extension type, but there is no type definition for %q in any subgraph.", m.subs[i].Name, name, name))
		}
	}
}

// addJoinTypes adds one @join__type per subgraph and key.
func (m *merger) addJoinTypes(dest *supergraph.Type, srcs []*subgraph.Type) {
	for i, t := range srcs {
		if t == nil {
			continue
		}
		graph := supergraph.DirArg{Name: "graph", Value: m.graphs[i]}
		itfObj := []supergraph.DirArg{}
		if t.InterfaceObject {
			itfObj = append(itfObj, supergraph.DirArg{Name: "isInterfaceObject", Value: "true"})
		}
		if len(t.Keys) == 0 {
			dest.Directives = append(dest.Directives, supergraph.Directive{Name: "join__type", Args: append([]supergraph.DirArg{graph}, itfObj...)})
			continue
		}
		for _, k := range t.Keys {
			args := []supergraph.DirArg{graph, {Name: "key", Value: supergraph.Str(k.Fields)}}
			if k.Extension || t.Extends {
				args = append(args, supergraph.DirArg{Name: "extension", Value: "true"})
			}
			if !k.Resolvable || k.ResolvableWritten {
				args = append(args, supergraph.DirArg{Name: "resolvable", Value: strconv.FormatBool(k.Resolvable)})
			}
			dest.Directives = append(dest.Directives, supergraph.Directive{Name: "join__type", Args: append(args, itfObj...)})
		}
	}
}

package supergraph

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// Graph is one subgraph named by a value of the join__Graph enum.
type Graph struct {
	// Enum is the join__Graph value, e.g. "INVENTORY".
	Enum string
	// Name is the subgraph name given to composition, e.g. "inventory".
	Name string
	// URL is the routing URL recorded in the supergraph.
	URL string
}

// key is one @key of a type in one subgraph.
type key struct {
	fields     string
	resolvable bool
	extension  bool
}

// field is a field of an object, interface or input type as one subgraph
// declares it.
type field struct {
	name     string
	typ      *ast.Type
	def      *ast.FieldDefinition
	external bool
	// overridden marks a field kept in the subgraph only because another
	// subgraph took it over with @override; the planner must not fetch it here.
	overridden bool
	requires   string
	provides   string
	// contextArgs are the arguments the router fills from a context.
	contextArgs []ContextArg
}

// typ is a type as one subgraph declares it.
type typ struct {
	kind            ast.DefinitionKind
	name            string
	keys            []key
	interfaceObject bool
	implements      []string
	fields          []*field
	members         []string
	values          []string
}

func (t *typ) field(name string) *field {
	for _, f := range t.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

func (t *typ) addField(f *field) *field {
	if old := t.field(f.name); old != nil {
		return old
	}
	t.fields = append(t.fields, f)
	return f
}

func (t *typ) hasKey(fields string) bool {
	n := normalizeFieldSet(fields)
	for _, k := range t.keys {
		if normalizeFieldSet(k.fields) == n {
			return true
		}
	}
	return false
}

// subgraph is the schema of one subgraph rebuilt from the supergraph.
type subgraph struct {
	graph Graph
	types map[string]*typ
	order []string
}

func (s *subgraph) typ(name string) *typ { return s.types[name] }

func (s *subgraph) addType(kind ast.DefinitionKind, name string) *typ {
	if t, ok := s.types[name]; ok {
		return t
	}
	t := &typ{kind: kind, name: name}
	s.types[name] = t
	s.order = append(s.order, name)
	return t
}

func (s *subgraph) removeType(name string) {
	delete(s.types, name)
	for i, n := range s.order {
		if n == name {
			s.order = append(s.order[:i], s.order[i+1:]...)
			return
		}
	}
}

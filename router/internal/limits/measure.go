package limits

import (
	"fmt"
	"math"

	"github.com/vektah/gqlparser/v2/ast"
)

// measure is what a selection set amounts to once every fragment spread in
// it is replaced by the fragment's selections, as normalization does
// before planning. Counts are per path: a fragment spread twice counts
// twice, so a chain of fragments that each spread the next one twice
// doubles at every level. They saturate at math.MaxInt64 instead of
// wrapping around.
type measure struct {
	// fields are the fields the set produces, nested ones included.
	fields int64
	// top are the fields selected directly on the set's own type (on the
	// root type, they are the operation's root fields).
	top int64
	// aliases are the aliased fields among fields.
	aliases int64
	// depth is the deepest field nesting below the set; a field of the
	// set itself has depth 1.
	depth int
	// introspects tells whether __schema or __type is selected anywhere.
	introspects bool
}

// add accumulates m into s, side by side (both at the same level).
func (s *measure) add(m measure) {
	s.fields = satAdd(s.fields, m.fields)
	s.top = satAdd(s.top, m.top)
	s.aliases = satAdd(s.aliases, m.aliases)
	s.depth = max(s.depth, m.depth)
	s.introspects = s.introspects || m.introspects
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// fragmentState tracks a fragment through the walk.
type fragmentState uint8

const (
	unvisited fragmentState = iota
	inProgress
	done
)

// measurer computes measures in time linear in the document: each
// fragment is measured once, and every later spread of it adds the stored
// result instead of walking it again.
type measurer struct {
	fragments map[string]*ast.FragmentDefinition
	state     map[string]fragmentState
	memo      map[string]measure
	// visits counts the selections walked, so tests can check that the
	// work is bounded by the document and not by its expansion.
	visits int
}

// errFragmentCycle reports a fragment that spreads itself, directly or
// through others; GraphQL validation forbids it and expanding it would
// never end.
type errFragmentCycle struct{ name string }

func (e errFragmentCycle) Error() string {
	return fmt.Sprintf("Cannot spread fragment %q within itself.", e.name)
}

// errDuplicateFragment reports two fragments of the same name, which
// GraphQL validation forbids and which would make the measure ambiguous.
type errDuplicateFragment struct{ name string }

func (e errDuplicateFragment) Error() string {
	return fmt.Sprintf("There can be only one fragment named %q.", e.name)
}

func newMeasurer(doc *ast.QueryDocument) (*measurer, error) {
	m := &measurer{
		fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		state:     make(map[string]fragmentState, len(doc.Fragments)),
		memo:      make(map[string]measure, len(doc.Fragments)),
	}
	for _, f := range doc.Fragments {
		if _, dup := m.fragments[f.Name]; dup {
			return nil, errDuplicateFragment{name: f.Name}
		}
		m.fragments[f.Name] = f
	}
	return m, nil
}

// set measures a selection set.
func (m *measurer) set(set ast.SelectionSet) (measure, error) {
	var out measure
	for _, sel := range set {
		m.visits++
		switch s := sel.(type) {
		case *ast.Field:
			sub, err := m.set(s.SelectionSet)
			if err != nil {
				return out, err
			}
			f := measure{fields: satAdd(1, sub.fields), top: 1, aliases: sub.aliases, depth: sub.depth + 1, introspects: sub.introspects}
			if s.Alias != "" && s.Alias != s.Name {
				f.aliases = satAdd(f.aliases, 1)
			}
			if s.Name == "__schema" || s.Name == "__type" {
				f.introspects = true
			}
			out.add(f)
		case *ast.InlineFragment:
			sub, err := m.set(s.SelectionSet)
			if err != nil {
				return out, err
			}
			out.add(sub)
		case *ast.FragmentSpread:
			sub, err := m.fragment(s.Name)
			if err != nil {
				return out, err
			}
			out.add(sub)
		}
	}
	return out, nil
}

// fragment measures a named fragment once and returns the stored measure
// afterwards. Unknown fragments count as empty: the engine's validation
// reports them.
func (m *measurer) fragment(name string) (measure, error) {
	switch m.state[name] {
	case done:
		return m.memo[name], nil
	case inProgress:
		return measure{}, errFragmentCycle{name: name}
	}
	f := m.fragments[name]
	if f == nil {
		return measure{}, nil
	}
	m.state[name] = inProgress
	out, err := m.set(f.SelectionSet)
	if err != nil {
		return out, err
	}
	m.state[name] = done
	m.memo[name] = out
	return out, nil
}

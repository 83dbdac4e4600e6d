package gqlguard

import (
	"fmt"
	"math"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// measure is what a selection set costs with its fragment spreads
// expanded. Counts saturate instead of overflowing.
type measure struct {
	// fields counts field selections, frags fragment spreads and inline
	// fragments; together they bound the work of walking the operation.
	fields, frags int
	// aliases counts fields selected under an alias.
	aliases int
	// roots counts the fields at the set's own level, through fragments.
	roots int
	// depth is the deepest field nesting; a set of leaves has depth 1.
	depth       int
	introspects bool
}

// merge adds o, a part of the same selection set, to m.
func (m *measure) merge(o measure) {
	m.fields = sat(m.fields, o.fields)
	m.frags = sat(m.frags, o.frags)
	m.aliases = sat(m.aliases, o.aliases)
	m.roots = sat(m.roots, o.roots)
	m.depth = max(m.depth, o.depth)
	m.introspects = m.introspects || o.introspects
}

// sat adds non-negative counts, saturating at MaxInt32.
func sat(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}

// checker measures a document in one pass over its text: each fragment
// definition is measured once and its measure reused at every spread, so
// a fragment spread a million times over a few nested fragments costs a
// few steps to measure, not a million.
type checker struct {
	byName map[string]*ast.FragmentDefinition
	memo   map[*ast.FragmentDefinition]*measure
	// visiting marks fragments on the current path: a cycle (which
	// validation rejects) is not followed again.
	visiting map[*ast.FragmentDefinition]bool
}

func newChecker(doc *ast.QueryDocument) *checker {
	c := &checker{
		byName:   make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		memo:     make(map[*ast.FragmentDefinition]*measure, len(doc.Fragments)),
		visiting: map[*ast.FragmentDefinition]bool{},
	}
	for _, f := range doc.Fragments {
		if _, dup := c.byName[f.Name]; !dup {
			c.byName[f.Name] = f
		}
	}
	return c
}

func (c *checker) set(s ast.SelectionSet) measure {
	var m measure
	for _, sel := range s {
		switch x := sel.(type) {
		case *ast.Field:
			sub := c.set(x.SelectionSet)
			sub.roots = 1
			sub.fields = sat(sub.fields, 1)
			sub.depth++
			if x.Alias != "" && x.Alias != x.Name {
				sub.aliases = sat(sub.aliases, 1)
			}
			if x.Name == "__schema" || x.Name == "__type" {
				sub.introspects = true
			}
			m.merge(sub)
		case *ast.InlineFragment:
			m.merge(c.set(x.SelectionSet))
			m.frags = sat(m.frags, 1)
		case *ast.FragmentSpread:
			m.frags = sat(m.frags, 1)
			if f := c.fragment(c.byName[x.Name]); f != nil {
				m.merge(*f)
			}
		}
	}
	return m
}

// fragment returns f's measure, nil for an unknown fragment or a cycle.
func (c *checker) fragment(f *ast.FragmentDefinition) *measure {
	if f == nil || c.visiting[f] {
		return nil
	}
	if m, ok := c.memo[f]; ok {
		return m
	}
	c.visiting[f] = true
	m := c.set(f.SelectionSet)
	c.visiting[f] = false
	c.memo[f] = &m
	return &m
}

// document measures every operation and every fragment definition no
// operation uses: validation walks those too, so they count.
func (c *checker) document(doc *ast.QueryDocument) measure {
	var total measure
	for _, op := range doc.Operations {
		total.merge(c.set(op.SelectionSet))
	}
	used := make(map[*ast.FragmentDefinition]bool, len(c.memo))
	for f := range c.memo {
		used[f] = true
	}
	for _, f := range doc.Fragments {
		if used[f] {
			continue
		}
		m := c.set(f.SelectionSet)
		m.roots = 0
		m.frags = sat(m.frags, 1)
		total.merge(m)
	}
	return total
}

// pathCounter counts the selections of each response path (the place of
// a field in the result: response names from the root), fragments
// expanded. Validation compares every pair of fields that share a path,
// so the sum of the squared counts is what it costs; capping each count
// keeps that sum linear in the number of fields.
type pathCounter struct {
	byName map[string]*ast.FragmentDefinition
	ids    map[pathKey]int32
	counts []int32
	limit  int32
	// steps bounds the walk (a fragment cycle could otherwise expand
	// far beyond what the measure counted).
	steps, maxSteps int
	// over is the first field over the limit, with its count.
	over      string
	overCount int32
}

type pathKey struct {
	parent int32
	name   string
}

func (p *pathCounter) walk(parent int32, s ast.SelectionSet, visiting map[*ast.FragmentDefinition]bool) (stop bool, tooLong bool) {
	for _, sel := range s {
		p.steps++
		if p.steps > p.maxSteps {
			return true, true
		}
		switch x := sel.(type) {
		case *ast.Field:
			k := pathKey{parent, x.Alias}
			id, ok := p.ids[k]
			if !ok {
				id = int32(len(p.counts))
				p.ids[k] = id
				p.counts = append(p.counts, 0)
			}
			p.counts[id]++
			if p.counts[id] > p.limit {
				p.over, p.overCount = x.Alias, p.counts[id]
				return true, false
			}
			if stop, long := p.walk(id, x.SelectionSet, visiting); stop {
				return stop, long
			}
		case *ast.InlineFragment:
			if stop, long := p.walk(parent, x.SelectionSet, visiting); stop {
				return stop, long
			}
		case *ast.FragmentSpread:
			f := p.byName[x.Name]
			if f == nil || visiting[f] {
				continue
			}
			visiting[f] = true
			stop, long := p.walk(parent, f.SelectionSet, visiting)
			visiting[f] = false
			if stop {
				return stop, long
			}
		}
	}
	return false, false
}

// maxWalk bounds the walk that counts repeated fields even when MaxFields
// is off: a document expanding further is refused rather than walked.
const maxWalk = 1 << 22

// check returns the error refusing doc under l, or nil.
func (l Limits) check(doc *ast.QueryDocument) *gqlerror.Error {
	c := newChecker(doc)
	m := c.document(doc)
	switch {
	case l.MaxDepth > 0 && m.depth > l.MaxDepth:
		return refuse(CodeMaxDepth, "the operation is %d levels deep; the limit is %d", m.depth, l.MaxDepth)
	case l.MaxAliases > 0 && m.aliases > l.MaxAliases:
		return refuse(CodeMaxAliases, "the operation uses %d aliases; the limit is %d", m.aliases, l.MaxAliases)
	case l.MaxRootFields > 0 && m.roots > l.MaxRootFields:
		return refuse(CodeMaxRootFields, "the operation selects %d root fields; the limit is %d", m.roots, l.MaxRootFields)
	case l.MaxFields > 0 && m.fields > l.MaxFields:
		return refuse(CodeMaxFields, "the operation selects %d fields with its fragments expanded; the limit is %d", m.fields, l.MaxFields)
	case l.MaxFields > 0 && m.frags > l.MaxFields:
		return refuse(CodeMaxFields, "the operation expands %d fragments; the limit is %d", m.frags, l.MaxFields)
	case !l.Introspection && m.introspects:
		return refuse(CodeIntrospectionDisabled, "introspection is disabled on this service")
	}
	if l.MaxFieldRepeats <= 0 {
		return nil
	}
	p := &pathCounter{
		byName:   c.byName,
		limit:    int32(min(l.MaxFieldRepeats, math.MaxInt32)),
		maxSteps: min(sat(m.fields, m.frags), maxWalk),
	}
	roots := make([]ast.SelectionSet, 0, len(doc.Operations)+len(doc.Fragments))
	for _, op := range doc.Operations {
		roots = append(roots, op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		if _, used := c.memo[f]; !used || c.byName[f.Name] != f {
			roots = append(roots, f.SelectionSet)
		}
	}
	for _, s := range roots {
		// Each operation (and each unused fragment) is its own result.
		p.ids = map[pathKey]int32{}
		p.counts = p.counts[:0]
		stop, tooLong := p.walk(-1, s, map[*ast.FragmentDefinition]bool{})
		switch {
		case tooLong:
			return refuse(CodeMaxFields, "the operation expands to more than %d selections", p.maxSteps)
		case stop:
			return refuse(CodeMaxFieldRepeats, "the field %q is selected %d times at the same place in the result; the limit is %d", p.over, p.overCount, l.MaxFieldRepeats)
		}
	}
	return nil
}

func refuse(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
}

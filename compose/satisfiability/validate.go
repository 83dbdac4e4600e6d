package satisfiability

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// position is one way the router may be placed while resolving a query
// path: inside subgraph g, on type typ of that subgraph (the supergraph
// type itself, or an @interfaceObject standing for it), with the fields a
// @provides made available there.
type position struct {
	g        int
	typ      string
	provided []subgraph.Selection
	// done marks a field that needs no fetch at all: an interface no type
	// implements can only ever be null.
	done bool
}

func (p position) id() string {
	if p.done {
		return "done"
	}
	id := strconv.Itoa(p.g) + "/" + p.typ
	if len(p.provided) > 0 {
		id += "/" + subgraph.PrintFieldSet(p.provided)
	}
	return id
}

// node identifies a position's subgraph and type, whatever is provided.
func (p position) node() string { return strconv.Itoa(p.g) + "/" + p.typ }

// step is one element of the query path leading to a state: a field (with
// its argument definitions, for the counter-example) or a type condition.
type step struct {
	field *supergraph.Field
	cast  string
}

// state is a supergraph type reached by a query path and every position
// the router could be in there.
type state struct {
	typ       string
	positions []position
	path      []step
}

// maxConditionDepth bounds how deep key and @requires conditions are
// resolved through nested key jumps; real schemas need one or two levels.
const maxConditionDepth = 4

// Validate reports a SATISFIABILITY_ERROR for each API field that no
// sequence of subgraph fetches can reach from a root: the router would
// have no plan for a query selecting it.
func Validate(s *supergraph.Schema) diag.List {
	g := build(s)
	var errs diag.List
	seen := map[string][][]string{}
	var queue []state
	for _, root := range g.roots {
		ti := g.types[root]
		if ti == nil {
			continue
		}
		var ps []position
		for gi := range g.names {
			if ti.in[gi] {
				ps = append(ps, position{g: gi, typ: root})
			}
		}
		queue = append(queue, state{typ: root, positions: ps})
	}
	reported := map[string]bool{}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		// Two states with the same closure advance alike, so the closure
		// (plus the @interfaceObject positions the objects came from,
		// which decide downcasts) identifies what was explored.
		closure := g.closure(st.typ, st.positions, 0)
		if group, ids := g.stateKey(st, closure); visitedSubset(seen, group, ids) {
			continue
		}
		ti := g.types[st.typ]
		for _, f := range ti.def.Fields {
			if inaccessible(f.Directives) || strings.HasPrefix(f.Name, "__") {
				continue
			}
			ft := g.types[namedType(f.Type)]
			if ft != nil && inaccessible(ft.def.Directives) {
				continue
			}
			next, reasons := g.advance(st.typ, closure, f)
			if len(next) == 0 {
				coord := st.typ + "." + f.Name
				if !reported[coord] {
					reported[coord] = true
					path := append(append([]step(nil), st.path...), step{field: f})
					errs.Add("SATISFIABILITY_ERROR", "", coord, message(g, st, path, reasons))
				}
				continue
			}
			next = slices.DeleteFunc(next, func(p position) bool { return p.done })
			if ft != nil && len(next) > 0 {
				queue = append(queue, state{typ: ft.def.Name, positions: next, path: append(append([]step(nil), st.path...), step{field: f})})
			}
		}
		if ti.def.Kind == ast.Interface || ti.def.Kind == ast.Union {
			for _, o := range g.runtimeTypes(ti) {
				ps := g.downcast(st.typ, o, closure)
				if len(ps) == 0 {
					path := append(append([]step(nil), st.path...), step{cast: o})
					// Only positions the objects came from matter: a jump made
					// for other fields does not return these objects.
					if why := g.unknownImplementation(st.typ, st.positions); len(why) > 0 {
						coord := st.typ + "/" + o
						if !reported[coord] {
							reported[coord] = true
							errs.Add("SATISFIABILITY_ERROR", "", coord, message(g, st, path, why))
						}
					}
					// Otherwise no subgraph returns this member here: there
					// is nothing to plan.
					continue
				}
				queue = append(queue, state{typ: o, positions: ps, path: append(append([]step(nil), st.path...), step{cast: o})})
			}
		}
	}
	errs = append(errs, g.sharedRuntimeTypes()...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Coordinate < errs[j].Coordinate })
	return errs
}

// visitedSubset records the state and reports whether it was explored
// before with no more positions: fewer options cannot succeed where more
// failed, and more options succeed wherever fewer did.
func visitedSubset(seen map[string][][]string, group string, ids []string) bool {
	for _, prev := range seen[group] {
		if isSubset(prev, ids) {
			return true
		}
	}
	seen[group] = append(seen[group], ids)
	return false
}

// stateKey groups states by type and by the @interfaceObject positions
// they started from (which decide downcasts, so they must match exactly),
// and lists, sorted, the positions of the closure, compared by inclusion.
func (g *graph) stateKey(st state, closure []position) (string, []string) {
	group := st.typ
	for _, p := range st.positions {
		if ti := g.types[p.typ]; ti != nil && ti.ioIn[p.g] {
			group += "|" + p.id()
		}
	}
	ids := make([]string, 0, len(closure))
	for _, p := range closure {
		ids = append(ids, p.id())
	}
	sort.Strings(ids)
	return group, ids
}

func isSubset(small, big []string) bool {
	j := 0
	for _, s := range small {
		for j < len(big) && big[j] < s {
			j++
		}
		if j == len(big) || big[j] != s {
			return false
		}
		j++
	}
	return true
}

func (g *graph) runtimeTypes(ti *typeInfo) []string {
	if ti.def.Kind == ast.Union {
		var out []string
		for _, m := range ti.def.Members {
			if mt := g.types[m]; mt != nil && !inaccessible(mt.def.Directives) {
				out = append(out, m)
			}
		}
		return out
	}
	return g.implementations[ti.def.Name]
}

// closure adds to the positions every subgraph reachable through key jumps
// (entity lookups), including jumps to and from @interfaceObject types and
// between root types.
func (g *graph) closure(typ string, ps []position, depth int) []position {
	out := append([]position(nil), ps...)
	has := map[string]bool{}
	for _, p := range out {
		has[p.node()] = true
	}
	add := func(p position) bool {
		k := p.node()
		if has[k] {
			return false
		}
		has[k] = true
		out = append(out, p)
		return true
	}
	ti := g.types[typ]
	if ti == nil {
		return out
	}
	if g.isRoot(typ) {
		for gi := range g.names {
			if ti.in[gi] {
				add(position{g: gi, typ: typ})
			}
		}
		return out
	}
	// Candidate targets: keys of the type itself, and keys of the
	// @interfaceObject types standing for one of its interfaces.
	type target struct {
		typ string
		k   key
	}
	var targets []target
	for _, k := range ti.keys {
		targets = append(targets, target{typ, k})
	}
	if ti.def.Kind == ast.Object {
		for _, i := range ti.def.Interfaces {
			if it := g.types[i]; it != nil {
				for _, k := range it.keys {
					if k.interfaceObject {
						targets = append(targets, target{i, k})
					}
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, t := range targets {
			if has[position{g: t.k.graph, typ: t.typ}.node()] {
				continue
			}
			if depth < maxConditionDepth && g.fetchable(typ, out, t.k.sels, depth+1) {
				if add(position{g: t.k.graph, typ: t.typ}) {
					changed = true
				}
			}
		}
	}
	return out
}

func (g *graph) isRoot(typ string) bool {
	for _, r := range g.roots {
		if r == typ {
			return true
		}
	}
	return false
}

// fetchable reports whether a field set (a key or a @requires) can be
// fetched from one of the positions, following nested selections.
func (g *graph) fetchable(typ string, ps []position, sels []subgraph.Selection, depth int) bool {
	for _, sel := range sels {
		if sel.Name == "__typename" {
			continue
		}
		if sel.TypeCondition != "" {
			var cast []position
			for _, p := range ps {
				cast = append(cast, g.castPosition(p, sel.TypeCondition)...)
			}
			if len(cast) > 0 && !g.fetchable(sel.TypeCondition, g.closure(sel.TypeCondition, cast, depth), sel.Sub, depth) {
				return false
			}
			continue
		}
		ok := false
		for _, p := range ps {
			src := g.localSource(p, sel.Name)
			if src == nil {
				continue
			}
			if len(sel.Sub) == 0 {
				ok = true
				break
			}
			ft := g.fieldType(p.typ, sel.Name)
			next := position{g: p.g, typ: ft, provided: nextProvided(p, sel.Name, src)}
			if g.fetchable(ft, g.closure(ft, []position{next}, depth), sel.Sub, depth) {
				ok = true
				break
			}
		}
		if !ok {
			// An interface field a subgraph does not serve directly for
			// every implementation is asked on each implementation.
			for _, p := range ps {
				impls := g.explode(p)
				if len(impls) == 0 {
					continue
				}
				ok = true
				for _, q := range impls {
					if !g.fetchable(q.typ, g.closure(q.typ, []position{q}, depth), []subgraph.Selection{sel}, depth) {
						ok = false
						break
					}
				}
				if ok {
					break
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// localSource returns how the position's subgraph serves the field when it
// can: declared there, not overridden away, and not external unless a
// @provides made it local on this path.
func (g *graph) localSource(p position, field string) *fieldSource {
	src := g.source(p.typ, field, p.g)
	if src == nil || src.overridden {
		return nil
	}
	if src.external && !provides(p.provided, field) {
		return nil
	}
	if !g.servedOnInterface(p, field) {
		return nil
	}
	return src
}

// servedOnInterface reports whether a subgraph can answer an interface
// field on the interface itself: only when each implementation it knows
// serves the field directly (not external, no @requires). Otherwise the
// field must be asked on each implementation (see explode).
func (g *graph) servedOnInterface(p position, field string) bool {
	ti := g.types[p.typ]
	if ti == nil || ti.def.Kind != ast.Interface || ti.ioIn[p.g] {
		return true
	}
	for _, o := range g.implementations[p.typ] {
		if !g.types[o].in[p.g] {
			continue
		}
		src := g.source(o, field, p.g)
		if src == nil || src.overridden || src.external || len(src.requires) > 0 {
			return false
		}
	}
	return true
}

// explode lists the positions on each implementation a subgraph has for an
// interface position (nil for other positions).
func (g *graph) explode(p position) []position {
	ti := g.types[p.typ]
	if ti == nil || ti.def.Kind != ast.Interface || ti.ioIn[p.g] {
		return nil
	}
	var out []position
	for _, o := range g.implementations[p.typ] {
		out = append(out, g.castPosition(p, o)...)
	}
	return out
}

func provides(sels []subgraph.Selection, field string) bool {
	for _, s := range sels {
		if s.TypeCondition == "" && s.Name == field {
			return true
		}
	}
	return false
}

func (g *graph) fieldType(typ, field string) string {
	if ti := g.types[typ]; ti != nil {
		if f := ti.fields[field]; f != nil {
			return namedType(f.def.Type)
		}
	}
	return ""
}

// nextProvided is what stays provided below a field: the sub-selections of
// an enclosing @provides plus the field's own @provides in the subgraph.
func nextProvided(p position, field string, src *fieldSource) []subgraph.Selection {
	var out []subgraph.Selection
	for _, s := range p.provided {
		if s.TypeCondition == "" && s.Name == field {
			out = append(out, s.Sub...)
		}
	}
	return append(out, src.provides...)
}

// advance moves every position across field f of type typ; reasons say,
// per subgraph, why a position could not.
func (g *graph) advance(typ string, ps []position, f *supergraph.Field) ([]position, []reason) {
	if ti := g.types[typ]; ti != nil && ti.def.Kind == ast.Interface && len(g.implementations[typ]) == 0 {
		// No object implements it: the field can only ever be null.
		return []position{{done: true}}, nil
	}
	var out []position
	var failed []int
	var whys []failure
	for i, p := range ps {
		next, why := g.advanceOne(typ, p, f)
		if !why.ok() {
			failed, whys = append(failed, i), append(whys, why)
			continue
		}
		out = append(out, next...)
	}
	if len(out) > 0 {
		return dedupe(out), nil
	}
	reasons := make([]reason, len(failed))
	for i, pi := range failed {
		reasons[i] = reason{subgraph: g.names[ps[pi].g], details: whys[i].text(typ + "." + f.Name)}
	}
	return nil, append(reasons, g.unreachable(typ, ps, f)...)
}

// unreachable explains, for each subgraph that serves the field but that
// no position could jump to, why its keys did not help.
func (g *graph) unreachable(typ string, ps []position, f *supergraph.Field) []reason {
	ti := g.types[typ]
	at := map[int]bool{}
	for _, p := range ps {
		at[p.g] = true
	}
	var out []reason
	for gi := range g.names {
		if at[gi] || !ti.in[gi] || g.localSource(position{g: gi, typ: typ}, f.Name) == nil {
			continue
		}
		resolvable := false
		for _, k := range ti.keys {
			resolvable = resolvable || k.graph == gi
		}
		why := fmt.Sprintf("cannot move to subgraph %q, which has field %q, because none of its @key on type %q can be fetched from here", g.names[gi], typ+"."+f.Name, typ)
		if !resolvable {
			why = fmt.Sprintf("cannot move to subgraph %q, which has field %q, because none of the @key defined on type %q in subgraph %q are resolvable (they are all declared with their \"resolvable\" argument set to false)", g.names[gi], typ+"."+f.Name, typ, g.names[gi])
		}
		for _, p := range ps {
			out = append(out, reason{subgraph: g.names[p.g], details: why})
		}
	}
	return out
}

// reason is why the router, in one subgraph, cannot take a field.
type reason struct {
	subgraph string
	details  string
}

// advanceOne moves one position across a field; ps are all the positions
// of the state, from which @requires conditions may be fetched.
func (g *graph) advanceOne(typ string, p position, f *supergraph.Field) ([]position, failure) {
	src := g.source(p.typ, f.Name, p.g)
	if ti := g.types[p.typ]; src == nil && ti != nil && ti.ioIn[p.g] {
		return g.throughInterfaceObject(p, f)
	}
	switch {
	case src == nil && len(g.explode(p)) == 0:
		return nil, failure{format: "cannot find field %q"}
	case src == nil || !g.servedOnInterface(p, f.Name):
		// Ask each implementation the subgraph has, wherever it can be
		// fetched from; all of them must succeed.
		var out []position
		for _, q := range g.explode(p) {
			cl := g.closure(q.typ, []position{q}, 0)
			var got []position
			for _, r := range cl {
				if next, why := g.advanceOne(q.typ, r, f); why.ok() {
					got = append(got, next...)
				}
			}
			if len(got) == 0 {
				return nil, failure{format: "cannot find field %q on implementation %q", impl: q.typ}
			}
			out = append(out, got...)
		}
		return out, failure{}
	case src.overridden:
		return nil, failure{format: "field %q is overridden by another subgraph"}
	case src.external && !provides(p.provided, f.Name):
		return nil, failure{format: "field %q is not resolvable because marked @external"}
	case len(src.requires) > 0 && !g.fetchable(typ, g.closure(typ, []position{p}, 1), src.requires, 1):
		// The requirement is fetched from where the field is taken: the
		// router reaches other subgraphs from there through their keys
		// (as Apollo plans it; data met earlier on the path does not count).
		return nil, failure{format: "cannot satisfy @require conditions on field %q"}
	}
	return []position{{g: p.g, typ: namedType(f.Type), provided: nextProvided(p, f.Name, src)}}, failure{}
}

// failure says why a position cannot take a field; it is only worded when
// the field fails everywhere, which keeps the common path cheap.
type failure struct {
	format string
	impl   string
}

func (f failure) ok() bool { return f.format == "" }

func (f failure) text(coord string) string {
	if f.impl != "" {
		return fmt.Sprintf(f.format, coord, f.impl)
	}
	return fmt.Sprintf(f.format, coord)
}

// downcast narrows the positions on an abstract type to one of its
// runtime types.
func (g *graph) downcast(typ, o string, ps []position) []position {
	var out []position
	for _, p := range ps {
		out = append(out, g.castPosition(p, o)...)
	}
	return dedupe(out)
}

func (g *graph) castPosition(p position, o string) []position {
	if p.typ == o {
		return []position{p}
	}
	ti, ot := g.types[p.typ], g.types[o]
	if ti == nil || ot == nil {
		return nil
	}
	var narrowed []subgraph.Selection
	for _, s := range p.provided {
		switch s.TypeCondition {
		case "":
			narrowed = append(narrowed, s)
		case o:
			narrowed = append(narrowed, s.Sub...)
		}
	}
	switch {
	case ti.ioIn[p.g]:
		// An @interfaceObject does not know the concrete type: only a jump
		// (through the interface's key) to a subgraph where the interface
		// is a real one can tell it; see the closure.
		return nil
	case ti.def.Kind == ast.Union && ti.members[p.g][o] && ot.in[p.g]:
		return []position{{g: p.g, typ: o, provided: narrowed}}
	case ti.def.Kind == ast.Interface && ot.in[p.g] && ot.implements[p.g][p.typ]:
		return []position{{g: p.g, typ: o, provided: narrowed}}
	}
	return nil
}

func dedupe(ps []position) []position {
	seen := map[string]bool{}
	var out []position
	for _, p := range ps {
		if id := p.id(); !seen[id] {
			seen[id] = true
			out = append(out, p)
		}
	}
	return out
}

// throughInterfaceObject takes, from an @interfaceObject that does not
// declare it, a field of the interface's implementations: for each of
// them the router jumps, with the interface's key, to a subgraph that
// knows the concrete type. With no implementation at all there is nothing
// to fetch.
func (g *graph) throughInterfaceObject(p position, f *supergraph.Field) ([]position, failure) {
	impls := g.implementations[p.typ]
	if len(impls) == 0 {
		return []position{{done: true}}, failure{}
	}
	var out []position
	for _, o := range impls {
		cl := g.closure(o, []position{p}, 0)
		var got []position
		for _, r := range cl {
			// Only a subgraph that knows the concrete type can tell which
			// implementation it is; other interface objects cannot.
			if r.typ != o {
				continue
			}
			if next, why := g.advanceOne(o, r, f); why.ok() {
				got = append(got, next...)
			}
		}
		if len(got) == 0 {
			return nil, failure{format: "cannot find field %q"}
		}
		out = append(out, got...)
	}
	return out, failure{}
}

// unknownImplementation explains a downcast no position can make when the
// router only has @interfaceObject positions: they cannot tell the
// concrete type, and no key leads to a subgraph that can.
func (g *graph) unknownImplementation(typ string, ps []position) []reason {
	var out []reason
	for _, p := range ps {
		if ti := g.types[p.typ]; ti != nil && ti.ioIn[p.g] {
			out = append(out, reason{subgraph: g.names[p.g], details: fmt.Sprintf("no subgraph can be reached to resolve the implementation type of @interfaceObject type %q", p.typ)})
		}
	}
	return out
}

package merge

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

var (
	labelPattern   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_\-:./]*$`)
	percentPattern = regexp.MustCompile(`^percent\((\d{1,2}(\.\d{1,8})?|100)\)$`)
)

func sameType(a, b *ast.Type) bool { return a.String() == b.String() }

// strictSubtype reports whether sub is a strict subtype of super: a non-null
// version, a list of subtypes, an implementation of an interface or a member
// of a union (Apollo's default subtyping rules).
func (m *merger) strictSubtype(super, sub *ast.Type) bool {
	switch {
	case sub.NonNull && !super.NonNull:
		nn := *sub
		nn.NonNull = false
		return sameType(super, &nn) || m.strictSubtype(super, &nn)
	case sub.NonNull && super.NonNull:
		a, b := *super, *sub
		a.NonNull, b.NonNull = false, false
		return m.strictSubtype(&a, &b)
	case super.NonNull:
		return false
	case super.Elem != nil && sub.Elem != nil:
		return m.strictSubtype(super.Elem, sub.Elem)
	case super.Elem != nil || sub.Elem != nil:
		return false
	case super.NamedType == sub.NamedType:
		return false
	default:
		return m.impls[super.NamedType][sub.NamedType] || m.members[super.NamedType][sub.NamedType]
	}
}

// mergeTypeRef merges one element's type across subgraphs: the most general
// type in output position, the most specific in input position. It records
// enum usage and reports incompatible types.
func (m *merger) mergeTypeRef(coord, elem string, types []*ast.Type, input bool) (*ast.Type, bool) {
	var dest *ast.Type
	subtypes, incompatible := false, false
	for _, t := range types {
		if t == nil {
			continue
		}
		switch {
		case dest == nil || sameType(dest, t):
			dest = t
		case m.strictSubtype(dest, t):
			subtypes = true
			if input {
				dest = t
			}
		case m.strictSubtype(t, dest):
			subtypes = true
			if !input {
				dest = t
			}
		default:
			incompatible = true
		}
	}
	if dest == nil {
		return nil, true
	}
	if m.kinds[dest.Name()] == ast.Enum {
		pos := "Output"
		if input {
			pos = "Input"
		}
		u := m.enumUse[dest.Name()]
		if u == nil {
			u = &enumUsage{position: pos, examples: map[string]string{}}
			m.enumUse[dest.Name()] = u
		} else if u.position != pos {
			u.position = "Both"
		}
		if _, ok := u.examples[pos]; !ok {
			u.examples[pos] = coord
		}
	}
	if incompatible {
		code := "FIELD_TYPE_MISMATCH"
		if elem == "argument" {
			code = "FIELD_ARGUMENT_TYPE_MISMATCH"
		}
		m.errs.Add(code, "", coord, fmt.Sprintf("Type of %s %q is incompatible across subgraphs: it has %s", elem, coord, m.describeTypes(types)))
		return dest, false
	}
	return dest, !subtypes
}

// describeTypes prints `type "Int" in subgraph "a" but type "String" in subgraph "b"`.
func (m *merger) describeTypes(types []*ast.Type) string {
	var order []string
	by := map[string][]string{}
	for i, t := range types {
		if t == nil {
			continue
		}
		s := t.String()
		if _, ok := by[s]; !ok {
			order = append(order, s)
		}
		by[s] = append(by[s], m.subs[i].Name)
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("type %q in %s", s, subgraphList(by[s]))
	}
	return strings.Join(parts, " but ")
}

func isRequired(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

// mergeArgs keeps the arguments every subgraph defines (intersection); a
// required argument missing somewhere is an error.
func (m *merger) mergeArgs(coord string, fsrc []*subgraph.Field) []*supergraph.Arg {
	var names []string
	for _, f := range fsrc {
		if f == nil {
			continue
		}
		for _, a := range f.Def.Arguments {
			if !contains(names, a.Name) {
				names = append(names, a.Name)
			}
		}
	}
	var out []*supergraph.Arg
	for _, name := range names {
		argCoord := fmt.Sprintf("%s(%s:)", coord, name)
		args := make([]*ast.ArgumentDefinition, len(fsrc))
		var missing, required []string
		for i, f := range fsrc {
			if f == nil {
				continue
			}
			args[i] = f.Def.Arguments.ForName(name)
			if args[i] == nil {
				missing = append(missing, m.subs[i].Name)
			} else if isRequired(args[i].Type, args[i].DefaultValue) {
				required = append(required, m.subs[i].Name)
			}
		}
		if len(missing) > 0 {
			if len(required) > 0 {
				m.errs.Add("REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH", "", argCoord, fmt.Sprintf("Argument %q is required in some subgraphs but does not appear in all subgraphs: it is required in %s but does not appear in %s", argCoord, subgraphList(required), subgraphList(missing)))
			}
			continue
		}
		out = append(out, m.mergeArg(argCoord, name, args))
	}
	return out
}

func (m *merger) mergeArg(coord, name string, args []*ast.ArgumentDefinition) *supergraph.Arg {
	out := &supergraph.Arg{Name: name}
	var descs []string
	var applied []ast.DirectiveList
	types := make([]*ast.Type, len(args))
	defs := make([]*ast.Value, len(args))
	present := make([]bool, len(args))
	for i, a := range args {
		if a == nil {
			continue
		}
		descs = append(descs, a.Description)
		applied = append(applied, a.Directives)
		types[i], defs[i], present[i] = a.Type, a.DefaultValue, true
	}
	out.Description = mergeDescriptions(descs)
	t, _ := m.mergeTypeRef(coord, "argument", types, true)
	out.Type = t.String()
	out.Default = m.mergeDefault(coord, "Argument", "FIELD_ARGUMENT_DEFAULT_MISMATCH", defs, present)
	out.Directives = m.mergeApplied(applied)
	return out
}

// mergeDefault keeps a default only when all subgraphs agree; two different
// defaults are an error.
func (m *merger) mergeDefault(coord, kind, code string, defs []*ast.Value, present []bool) *ast.Value {
	var dest *ast.Value
	seen, inconsistent, incompatible := false, false, false
	for i, d := range defs {
		if !present[i] {
			continue
		}
		switch {
		case dest == nil:
			if seen && d != nil {
				inconsistent = true
			}
			dest = d
		case d == nil:
			inconsistent = true
		case supergraph.ValueString(d) != supergraph.ValueString(dest):
			inconsistent, incompatible = true, true
		}
		seen = true
	}
	if incompatible {
		m.errs.Add(code, "", coord, fmt.Sprintf("%s %q has incompatible default values across subgraphs", kind, coord))
		return dest
	}
	if inconsistent {
		return nil
	}
	return dest
}

// mergeDescriptions picks the description most subgraphs agree on, ignoring
// empty ones.
func mergeDescriptions(descs []string) string {
	counts := map[string]int{}
	best, bestN := "", 0
	for _, d := range descs {
		if d == "" {
			continue
		}
		counts[d]++
		if counts[d] > bestN {
			best, bestN = d, counts[d]
		}
	}
	return best
}

// mergeApplied merges the directives that survive into the supergraph:
// @inaccessible, @tag, access control, @deprecated, @specifiedBy and
// composed directives. Identical applications collapse; a non-repeatable
// directive keeps its first application, except access control, which
// combines them (see mergeAccess).
func (m *merger) mergeApplied(lists []ast.DirectiveList) []supergraph.Directive {
	var names []string
	byName := map[string][]supergraph.Directive{}
	seen := map[string]bool{}
	seenName := map[string]bool{}
	for _, list := range lists {
		for _, d := range list {
			repeatable := d.Name == "tag"
			switch d.Name {
			case "inaccessible", "tag", "deprecated", "specifiedBy":
			case "context":
				if !seenName[d.Name] {
					names = append(names, d.Name)
					seenName[d.Name] = true
					byName[d.Name] = mergeContexts(lists)
				}
				continue
			case "authenticated", "requiresScopes", "policy":
				if !seenName[d.Name] {
					names = append(names, d.Name)
					seenName[d.Name] = true
					merged, _ := m.mergeAccess(d.Name, lists)
					byName[d.Name] = []supergraph.Directive{merged}
				}
				continue
			case "cost", "listSize":
				if !seenName[d.Name] {
					names = append(names, d.Name)
					seenName[d.Name] = true
					merged, _ := m.mergeCost(d.Name, lists)
					byName[d.Name] = []supergraph.Directive{merged}
				}
				continue
			default:
				def := m.composed[d.Name]
				if def == nil {
					continue
				}
				repeatable = def.IsRepeatable
			}
			sd := supergraph.FromAST(d)
			key := sd.String()
			if seen[key] || (!repeatable && seenName[d.Name]) {
				continue
			}
			if !seenName[d.Name] {
				names = append(names, d.Name)
			}
			seen[key], seenName[d.Name] = true, true
			byName[d.Name] = append(byName[d.Name], sd)
		}
	}
	// Applications are grouped by directive, in order of first appearance,
	// as Apollo prints them.
	var out []supergraph.Directive
	for _, n := range names {
		out = append(out, byName[n]...)
	}
	return out
}

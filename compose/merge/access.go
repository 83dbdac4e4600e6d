package merge

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// The access-control directives (@authenticated, @requiresScopes, @policy)
// merge as Apollo merges them: one application per element; when the
// subgraphs disagree, the requirements are combined so that the supergraph
// asks for all of them (a conjunction of the disjunctions, see
// dnfConjunction). An interface, which may not carry them itself, gets the
// combined requirements of its implementations, and an interface field
// those of the implementing fields, so that no path through an interface
// is less strict than the object behind it.

func isAccess(name string) bool {
	for _, a := range subgraph.AccessDirectives {
		if a == name {
			return true
		}
	}
	return false
}

// mergeAccess merges the applications of one access-control directive found
// in lists (one list per source element, in source order). A single distinct
// application is kept as written; several are combined.
func (m *merger) mergeAccess(name string, lists []ast.DirectiveList) (supergraph.Directive, bool) {
	var distinct []*ast.Directive
	seen := map[string]bool{}
	for _, list := range lists {
		for _, d := range list {
			if d.Name != name {
				continue
			}
			key := supergraph.FromAST(d).String()
			if !seen[key] {
				seen[key] = true
				distinct = append(distinct, d)
			}
		}
	}
	switch {
	case len(distinct) == 0:
		return supergraph.Directive{}, false
	case len(distinct) == 1 || subgraph.AccessArgument[name] == "":
		return supergraph.FromAST(distinct[0]), true
	}
	arg := subgraph.AccessArgument[name]
	values := make([][][]string, 0, len(distinct))
	for _, d := range distinct {
		a := d.Arguments.ForName(arg)
		if a == nil {
			// A custom directive that merely shares the name: keep the
			// first application as for any non-repeatable directive.
			return supergraph.FromAST(distinct[0]), true
		}
		// Parse validated the shape of every federation application.
		v, _ := subgraph.ListOfLists(a.Value)
		values = append(values, v)
	}
	return supergraph.Directive{Name: name, Args: []supergraph.DirArg{{Name: arg, Value: printListOfLists(dnfConjunction(values))}}}, true
}

func printListOfLists(v [][]string) string {
	outer := make([]string, len(v))
	for i, inner := range v {
		parts := make([]string, len(inner))
		for j, s := range inner {
			parts[j] = supergraph.Str(s)
		}
		outer[i] = "[" + strings.Join(parts, ", ") + "]"
	}
	return "[" + strings.Join(outer, ", ") + "]"
}

// dnfConjunction combines requirements written in disjunctive normal form
// ([["a", "b"], ["c"]] means a and b, or c) so that the result holds only
// when every input holds. It reproduces Apollo's algorithm step by step,
// sorting included, so that the printed supergraph is identical: inputs are
// normalized (an empty list means "no requirement"), duplicates dropped,
// conjunctions distributed, and conjunctions implied by a shorter one
// removed.
func dnfConjunction(values [][][]string) [][]string {
	if len(values) == 0 {
		return [][]string{}
	}
	var filtered [][][]string
	seen := map[string]bool{}
	for _, v := range values {
		c := make([][]string, len(v))
		for i, inner := range v {
			c[i] = append([]string{}, inner...)
			sort.SliceStable(c[i], func(a, b int) bool { return jsLess(c[i][a], c[i][b]) })
		}
		if len(c) == 0 {
			c = [][]string{{}}
		}
		sort.SliceStable(c, func(a, b int) bool { return jsLess(jsonList(c[a]), jsonList(c[b])) })
		key := jsonLists(c)
		if !seen[key] {
			seen[key] = true
			filtered = append(filtered, c)
		}
	}
	result := filtered[0]
	for _, current := range filtered[1:] {
		var acc [][]string
		seenCand := map[string]bool{}
		for _, a := range result {
			for _, c := range current {
				cand := append([]string{}, a...)
				for _, e := range c {
					if !containsStr(a, e) {
						cand = append(cand, e)
					}
				}
				sort.SliceStable(cand, func(i, j int) bool { return jsLess(cand[i], cand[j]) })
				if key := jsonList(cand); !seenCand[key] {
					seenCand[key] = true
					acc = append(acc, cand)
				}
			}
		}
		result = dropImplied(acc)
	}
	return result
}

// dropImplied keeps the conjunctions no shorter one is a subset of.
func dropImplied(values [][]string) [][]string {
	sort.SliceStable(values, func(i, j int) bool { return len(values[i]) < len(values[j]) })
	var out [][]string
	for _, cand := range values {
		redundant := false
		for _, r := range out {
			all := true
			for _, e := range r {
				if !containsStr(cand, e) {
					all = false
					break
				}
			}
			if all {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, cand)
		}
	}
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// jsLess orders strings as JavaScript's default sort does: by UTF-16 code
// units, which differs from Go's byte order above U+FFFF.
func jsLess(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// jsonList renders a list of strings as JSON.stringify does, the key Apollo
// sorts and deduplicates conjunctions by.
func jsonList(l []string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = jsonString(s)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func jsonLists(l [][]string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = jsonList(s)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// accessSources gathers, for every interface and for every field of an
// object or interface, the elements of other types whose access control it
// inherits, keyed "Type_directive" or "Type.field_directive": implementing
// objects for an interface, implementing fields for an interface field, and
// @interfaceObject fields for the fields of the implementations.
func (m *merger) accessSources() map[string][]ast.DirectiveList {
	impls := map[string][]string{} // interface -> objects implementing it in the supergraph
	itfs := map[string][]string{}  // object -> interfaces it implements
	for _, t := range m.merged {
		if t.Kind != ast.Object {
			continue
		}
		for _, i := range t.Interfaces {
			if it := m.merged[i]; it != nil && it.Kind == ast.Interface {
				impls[i] = append(impls[i], t.Name)
				itfs[t.Name] = append(itfs[t.Name], i)
			}
		}
	}
	out := map[string][]ast.DirectiveList{}
	for _, s := range m.subs {
		for _, name := range subgraph.AccessDirectives {
			for _, typeName := range s.Order {
				t := s.Types[typeName]
				if t.Kind != ast.Object {
					continue
				}
				if has(t.Applied, name) && !t.InterfaceObject {
					for _, i := range itfs[typeName] {
						key := i + "_" + name
						out[key] = append(out[key], t.Applied)
					}
				}
				for _, f := range t.Fields {
					if !has(f.Applied, name) || f.IsExternal() {
						continue
					}
					var targets []string
					if t.InterfaceObject {
						other := map[string]bool{}
						for _, impl := range sortedCopy(impls[typeName]) {
							targets = append(targets, impl)
							for _, i := range itfs[impl] {
								if i != typeName {
									other[i] = true
								}
							}
						}
						targets = append(targets, sortedKeys(other)...)
					} else {
						targets = itfs[typeName]
					}
					for _, target := range targets {
						key := target + "." + f.Def.Name + "_" + name
						out[key] = append(out[key], f.Applied)
					}
				}
			}
		}
	}
	return out
}

func has(list ast.DirectiveList, name string) bool { return list.ForName(name) != nil }

func sortedCopy(l []string) []string {
	c := append([]string{}, l...)
	sort.Strings(c)
	return c
}

func sortedKeys(set map[string]bool) []string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mergeInheritedAccess recomputes the access control of interfaces and of
// every object and interface field once all types are merged, adding the
// requirements inherited through interfaces. They go after @inaccessible
// and the join directives, ahead of the other directives, in Apollo's order.
func (m *merger) mergeInheritedAccess() {
	extra := m.accessSources()
	for _, t := range m.merged {
		if t.Kind != ast.Object && t.Kind != ast.Interface {
			continue
		}
		srcs := m.sources(t.Name)
		if t.Kind == ast.Interface {
			var own []ast.DirectiveList
			for _, st := range srcs {
				if st != nil {
					own = append(own, st.Applied)
				}
			}
			t.Directives = m.placeAccess(t.Directives, own, extra, t.Name)
		}
		for _, f := range t.Fields {
			var own []ast.DirectiveList
			for _, st := range srcs {
				if st == nil {
					continue
				}
				if sf := st.Field(f.Name); sf != nil && !sf.IsExternal() {
					own = append(own, sf.Applied)
				}
			}
			f.Directives = m.placeAccess(f.Directives, own, extra, t.Name+"."+f.Name)
		}
	}
}

// placeAccess replaces the access-control directives of one element by the
// merge of its own and its inherited ones.
func (m *merger) placeAccess(ds []supergraph.Directive, own []ast.DirectiveList, extra map[string][]ast.DirectiveList, coord string) []supergraph.Directive {
	var access []supergraph.Directive
	for _, name := range subgraph.AccessDirectives {
		lists := append(append([]ast.DirectiveList{}, own...), extra[coord+"_"+name]...)
		if d, ok := m.mergeAccess(name, lists); ok {
			access = append(access, d)
		}
	}
	var kept []supergraph.Directive
	for _, d := range ds {
		if !isAccess(d.Name) {
			kept = append(kept, d)
		}
	}
	at := len(kept)
	for i, d := range kept {
		// The argument-less @join__field of a field added from an
		// @interfaceObject comes last, after everything copied.
		bare := d.Name == "join__field" && len(d.Args) == 0
		if bare || (d.Name != "inaccessible" && !strings.HasPrefix(d.Name, "join__")) {
			at = i
			break
		}
	}
	out := append(append(append([]supergraph.Directive{}, kept[:at]...), access...), kept[at:]...)
	if len(out) == 0 {
		return nil
	}
	return out
}

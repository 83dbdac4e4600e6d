package subgraph

import "github.com/vektah/gqlparser/v2/ast"

// misplacedLeaf is a leaf of a @requires or @provides field set that the
// subgraph already resolves itself, so naming it in the directive is a
// mistake.
type misplacedLeaf struct {
	parent *Type
	field  *Field
}

// localLeaves finds the leaves of a @requires/@provides selection that must
// be @external but are not. The rule is about leaves only: a field the
// subgraph owns may be traversed (with arguments, through fragments and
// interfaces, several levels deep) to reach nested fields that are
// @external, and every leaf below an external field is fetched from
// elsewhere with it, so it needs no marking of its own. Unknown fields were
// reported by walkFieldSet and are skipped here.
func localLeaves(s *Subgraph, t *Type, sels []Selection, underExternal bool) []misplacedLeaf {
	var out []misplacedLeaf
	for _, sel := range sels {
		if sel.TypeCondition != "" {
			if ct := s.Types[sel.TypeCondition]; ct != nil {
				out = append(out, localLeaves(s, ct, sel.Sub, underExternal)...)
			}
			continue
		}
		if sel.Name == "__typename" || t.Kind == ast.Union {
			continue
		}
		f := t.Field(sel.Name)
		if f == nil {
			continue
		}
		if len(sel.Sub) == 0 {
			if !underExternal && !f.IsExternal() {
				out = append(out, misplacedLeaf{parent: t, field: f})
			}
			continue
		}
		ft := s.Types[f.Def.Type.Name()]
		if ft == nil {
			continue
		}
		out = append(out, localLeaves(s, ft, sel.Sub, underExternal || f.IsExternal() || externalInImplementations(s, t, sel.Name))...)
	}
	return out
}

// externalInImplementations reports, for a field of an interface, whether
// some implementation of the interface in this subgraph marks the field
// @external: the selection below it then reads external data too.
func externalInImplementations(s *Subgraph, t *Type, field string) bool {
	if t.Kind != ast.Interface {
		return false
	}
	for _, name := range s.Order {
		impl := s.Types[name]
		if impl.Kind != ast.Object || !impl.Implements(t.Name) {
			continue
		}
		if f := impl.Field(field); f != nil && f.IsExternal() {
			return true
		}
	}
	return false
}

// missingExternalMessage is Apollo's wording for a leaf that should not be
// in the field set, which differs for the "fake" externals (key fields of
// extension types).
func missingExternalMessage(directive string, leaf misplacedLeaf) string {
	coord := leaf.parent.Name + "." + leaf.field.Def.Name
	if leaf.field.fakeExternal {
		return "field \"" + coord + "\" should not be part of a @" + directive + " since it is already \"effectively\" provided by this subgraph (while it is marked @external, it is a @key field of an extension type, which are not internally considered external for historical/backward compatibility reasons)"
	}
	return "field \"" + coord + "\" should not be part of a @" + directive + " since it is already provided by this subgraph (it is not marked @external)"
}

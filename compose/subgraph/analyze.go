package subgraph

import (
	"fmt"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/vektah/gqlparser/v2/ast"
)

// analyze validates the federation directives of one subgraph and computes
// the per-field metadata composition relies on (external, used, shareable).
// Federation 1 subgraphs are upgraded the way Apollo's schema upgrader does:
// unused externals are dropped, keys on interfaces ignored, and every field
// resolved elsewhere too is treated as shareable.
func analyze(s *Subgraph) diag.List {
	var errs diag.List
	report := func(code, coord, msg string) {
		errs.Add(code, s.Name, coord, fmt.Sprintf("[%s] %s", s.Name, msg))
	}
	for _, name := range s.Order {
		t := s.Types[name]
		if !s.Fed2 && t.Kind == ast.Interface {
			t.Keys = nil
			for _, f := range t.Fields {
				f.HasProvides, f.HasRequires, f.External = false, false, false
			}
		}
		for _, k := range t.Keys {
			sels, err := ParseFieldSet(k.Fields)
			where := fmt.Sprintf("On type %q, for @key(fields: %q)", t.Name, k.Fields)
			if err != nil {
				report("KEY_INVALID_FIELDS", t.Name, fmt.Sprintf("%s: %v", where, err))
				continue
			}
			targets, ferrs := walkFieldSet(s, t, sels, keySet)
			for _, fe := range ferrs {
				report("KEY_"+fe.suffix, t.Name, fmt.Sprintf("%s: %s", where, fe.msg))
			}
			for _, tg := range targets {
				tg.field.used = true
				tg.field.keyField = true
				extension := k.Extension || t.Extends || (!s.Fed2 && tg.field.FromExtension)
				if tg.parent == t && extension && tg.field.External {
					tg.field.fakeExternal = true
				}
			}
		}
	}
	if !s.Fed2 {
		dropInactiveProvides(s)
	}
	for _, name := range s.Order {
		t := s.Types[name]
		for _, f := range t.Fields {
			if f.HasProvides {
				errs = append(errs, checkProvides(s, t, f)...)
			}
			if f.HasRequires {
				errs = append(errs, checkRequires(s, t, f)...)
			}
		}
	}
	// Externals that satisfy an interface field are used too.
	for _, name := range s.Order {
		t := s.Types[name]
		for _, i := range t.Interfaces {
			it := s.Types[i]
			if it == nil {
				continue
			}
			for _, f := range t.Fields {
				if it.Field(f.Def.Name) != nil {
					f.used = true
				}
			}
		}
	}
	for _, name := range s.Order {
		t := s.Types[name]
		kept := t.Fields[:0]
		for _, f := range t.Fields {
			if f.IsExternal() && !f.used {
				if s.Fed2 {
					report("EXTERNAL_UNUSED", t.Name+"."+f.Def.Name, fmt.Sprintf("Field %q is marked @external but is not used in any federation directive (@key, @provides, @requires) or to satisfy an interface; the field declaration has no use and should be removed (or the field should not be @external).", t.Name+"."+f.Def.Name))
				} else {
					continue
				}
			}
			kept = append(kept, f)
		}
		t.Fields = kept
	}
	return errs
}

func checkProvides(s *Subgraph, t *Type, f *Field) diag.List {
	var errs diag.List
	coord := t.Name + "." + f.Def.Name
	target := s.Types[f.Def.Type.Name()]
	if s.Fed2 && f.External {
		// Refused, but what it names still counts as used, as in Apollo.
		f.used = true
		errs.Add("EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE", s.Name, coord, fmt.Sprintf("[%s] Cannot have both @provides and @external on field %q", s.Name, coord))
		if sels, err := ParseFieldSet(f.Provides); err == nil && target != nil {
			targets, _ := walkFieldSet(s, target, sels, providesSet)
			for _, tg := range targets {
				tg.field.used = true
			}
		}
		return errs
	}
	if target == nil || (target.Kind != ast.Object && target.Kind != ast.Interface && target.Kind != ast.Union) {
		if s.Fed2 {
			errs.Add("PROVIDES_ON_NON_OBJECT_FIELD", s.Name, coord, fmt.Sprintf("[%s] Invalid @provides directive on field %q: field has type %q which is not a Composite Type", s.Name, coord, f.Def.Type.String()))
		}
		f.HasProvides = false
		return errs
	}
	where := fmt.Sprintf("On field %q, for @provides(fields: %q)", coord, f.Provides)
	sels, err := ParseFieldSet(f.Provides)
	if err != nil {
		errs.Add("PROVIDES_INVALID_FIELDS", s.Name, coord, fmt.Sprintf("[%s] %s: %v", s.Name, where, err))
		return errs
	}
	targets, ferrs := walkFieldSet(s, target, sels, providesSet)
	for _, fe := range ferrs {
		errs.Add("PROVIDES_"+fe.suffix, s.Name, coord, fmt.Sprintf("[%s] %s: %s", s.Name, where, fe.msg))
	}
	for _, tg := range targets {
		tg.field.used = true
		tg.field.provided = true
		if tg.field.IsExternal() {
			tg.field.shareByProv = true
		}
	}
	if s.Fed2 && len(ferrs) == 0 {
		for _, leaf := range localLeaves(s, target, sels, false) {
			errs.Add("PROVIDES_FIELDS_MISSING_EXTERNAL", s.Name, coord, fmt.Sprintf("[%s] %s: %s", s.Name, where, missingExternalMessage("provides", leaf)))
		}
	}
	return errs
}

func checkRequires(s *Subgraph, t *Type, f *Field) diag.List {
	var errs diag.List
	coord := t.Name + "." + f.Def.Name
	where := fmt.Sprintf("On field %q, for @requires(fields: %q)", coord, f.Requires)
	sels, err := ParseFieldSet(f.Requires)
	if err != nil {
		errs.Add("REQUIRES_INVALID_FIELDS", s.Name, coord, fmt.Sprintf("[%s] %s: %v", s.Name, where, err))
		return errs
	}
	targets, ferrs := walkFieldSet(s, t, sels, requiresSet)
	for _, fe := range ferrs {
		errs.Add("REQUIRES_"+fe.suffix, s.Name, coord, fmt.Sprintf("[%s] %s: %s", s.Name, where, fe.msg))
	}
	for _, tg := range targets {
		tg.field.used = true
	}
	if s.Fed2 && len(ferrs) == 0 {
		for _, leaf := range localLeaves(s, t, sels, false) {
			errs.Add("REQUIRES_FIELDS_MISSING_EXTERNAL", s.Name, coord, fmt.Sprintf("[%s] %s: %s", s.Name, where, missingExternalMessage("requires", leaf)))
		}
	}
	return errs
}

// IsShareable reports whether the field may be resolved by several
// subgraphs: @shareable (on the field or its type), a key field, an external
// field made local by @provides, or any field of a Federation 1 subgraph
// (Apollo's upgrader marks those shareable).
func (s *Subgraph) IsShareable(t *Type, f *Field) bool {
	if f.Shareable || f.keyField || f.shareByProv {
		return true
	}
	return !s.Fed2 && t.Name != "Subscription"
}

// dropInactiveProvides removes, in Federation 1 subgraphs, the @provides
// selections of fields that are not external (they had no effect), as
// Apollo's upgrader does; a @provides left empty is removed.
func dropInactiveProvides(s *Subgraph) {
	for _, name := range s.Order {
		for _, f := range s.Types[name].Fields {
			if !f.HasProvides {
				continue
			}
			target := s.Types[f.Def.Type.Name()]
			sels, err := ParseFieldSet(f.Provides)
			if target == nil || err != nil {
				continue
			}
			kept := keepExternal(s, target, sels)
			switch {
			case len(kept) == 0:
				f.HasProvides, f.Provides = false, ""
			case len(kept) != len(sels):
				f.Provides = PrintFieldSet(kept)
			}
		}
	}
}

func keepExternal(s *Subgraph, t *Type, sels []Selection) []Selection {
	var out []Selection
	for _, sel := range sels {
		if sel.TypeCondition != "" {
			out = append(out, sel)
			continue
		}
		f := t.Field(sel.Name)
		if f == nil || f.External {
			out = append(out, sel)
		}
	}
	return out
}

package merge

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// overrides records, per subgraph index, how @override affects a field.
type overrides struct {
	usedOverridden   map[int]bool
	unusedOverridden map[int]bool
	unknownTarget    map[int]bool
	label            map[int]string
}

func newOverrides() *overrides {
	return &overrides{usedOverridden: map[int]bool{}, unusedOverridden: map[int]bool{}, unknownTarget: map[int]bool{}, label: map[int]string{}}
}

// mergeComposite merges an object or interface type: implemented interfaces
// (join__implements), then every field.
func (m *merger) mergeComposite(dest *supergraph.Type, srcs []*subgraph.Type) {
	var implements []supergraph.Directive
	for i, t := range srcs {
		if t == nil {
			continue
		}
		for _, itf := range t.Interfaces {
			if !contains(dest.Interfaces, itf) {
				dest.Interfaces = append(dest.Interfaces, itf)
			}
			implements = append(implements, supergraph.Directive{Name: "join__implements", Args: []supergraph.DirArg{
				{Name: "graph", Value: m.graphs[i]}, {Name: "interface", Value: supergraph.Str(itf)},
			}})
		}
	}
	dest.Directives = append(implements, dest.Directives...)
	if dest.Kind == ast.Interface {
		m.checkInterfaceKeys(dest.Name, srcs)
	}
	var names []string
	for _, t := range srcs {
		if t == nil {
			continue
		}
		for _, f := range t.Fields {
			if !contains(names, f.Def.Name) {
				names = append(names, f.Def.Name)
			}
		}
	}
	for _, name := range names {
		fsrc := make([]*subgraph.Field, len(srcs))
		for i, t := range srcs {
			if t != nil {
				fsrc[i] = t.Field(name)
			}
		}
		ov := m.validateOverride(dest, srcs, fsrc)
		if dest.Name == "Subscription" {
			m.validateSubscriptionField(dest.Name+"."+name, fsrc)
		}
		if f := m.mergeField(dest, srcs, fsrc, ov); f != nil {
			dest.Fields = append(dest.Fields, f)
		}
		if dest.Kind == ast.Object {
			ssrcs, sfsrc := m.withInterfaceObjects(dest, name, srcs, fsrc)
			m.validateSharing(dest.Name+"."+name, ssrcs, sfsrc, ov)
		} else {
			m.validateInterfaceObjectSharing(dest, name, srcs, fsrc, ov)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *merger) validateOverride(dest *supergraph.Type, srcs []*subgraph.Type, fsrc []*subgraph.Field) *overrides {
	ov := newOverrides()
	coord := ""
	for i, f := range fsrc {
		if f == nil || !f.HasOverride || !m.subs[i].Fed2 {
			continue
		}
		coord = dest.Name + "." + f.Def.Name
		name := m.subs[i].Name
		if srcs[i].Kind == ast.Interface {
			m.errs.Add("OVERRIDE_ON_INTERFACE", name, coord, fmt.Sprintf("@override cannot be used on field %q on subgraph %q: @override is not supported on interface type fields.", coord, name))
			continue
		}
		if srcs[i].InterfaceObject {
			m.errs.Add("OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE", name, coord, fmt.Sprintf("@override is not yet supported on fields of @interfaceObject types: cannot be used on field %q on subgraph %q.", coord, name))
			continue
		}
		from := m.subgraphIndex(f.OverrideFrom)
		switch {
		case from < 0:
			ov.unknownTarget[i] = true
		case from == i:
			m.errs.Add("OVERRIDE_FROM_SELF_ERROR", name, coord, fmt.Sprintf("Source and destination subgraphs %q are the same for overridden field %q", name, coord))
		case fsrc[from] != nil && fsrc[from].HasOverride:
			m.errs.Add("OVERRIDE_SOURCE_HAS_OVERRIDE", name, coord, fmt.Sprintf("Field %q on subgraph %q is also marked with directive @override in subgraph %q. Only one @override directive is allowed per field.", coord, name, f.OverrideFrom))
		case fsrc[from] == nil:
			// The field is gone from the source subgraph: nothing to override.
		default:
			fromField := fsrc[from]
			if fromField.HasRequires || fromField.HasProvides || f.IsExternal() {
				m.errs.Add("OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE", name, coord, fmt.Sprintf("@override cannot be used on field %q on subgraph %q since %q on %q is marked with a conflicting directive", coord, name, coord, f.OverrideFrom))
				continue
			}
			switch {
			case fromField.IsExternal():
			case fromField.IsUsed():
				ov.usedOverridden[from] = true
			default:
				ov.unusedOverridden[from] = true
			}
			if f.OverrideLabel != "" {
				if validLabel(f.OverrideLabel) {
					ov.label[i], ov.label[from] = f.OverrideLabel, f.OverrideLabel
				} else {
					m.errs.Add("OVERRIDE_LABEL_INVALID", name, coord, fmt.Sprintf("Invalid @override label %q on field %q on subgraph %q: labels must start with a letter and after that may contain alphanumerics, underscores, minuses, colons, periods, or slashes. Alternatively, labels may be of the form \"percent(x)\" where x is a float between 0-100 inclusive.", f.OverrideLabel, coord, name))
				}
			}
		}
	}
	return ov
}

func (m *merger) subgraphIndex(name string) int {
	for i, s := range m.subs {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// mergeField merges one field of an object or interface type.
func (m *merger) mergeField(dest *supergraph.Type, srcs []*subgraph.Type, fsrc []*subgraph.Field, ov *overrides) *supergraph.Field {
	var name string
	allExternal := true
	var defining []string
	for i, f := range fsrc {
		if f == nil {
			continue
		}
		name = f.Def.Name
		defining = append(defining, m.subs[i].Name)
		if !f.IsExternal() {
			allExternal = false
		}
	}
	coord := dest.Name + "." + name
	if allExternal {
		m.errs.Add("EXTERNAL_MISSING_ON_BASE", "", coord, fmt.Sprintf("Field %q is marked @external on all the subgraphs in which it is listed (%s).", coord, subgraphList(defining)))
		return nil
	}
	local := make([]*subgraph.Field, len(fsrc))
	hasExternal := false
	for i, f := range fsrc {
		if f != nil && !f.IsExternal() {
			local[i] = f
		} else if f != nil {
			hasExternal = true
		}
	}
	out := &supergraph.Field{Name: name}
	var descs []string
	var applied []ast.DirectiveList
	for _, f := range local {
		if f != nil {
			descs = append(descs, f.Def.Description)
			applied = append(applied, f.Applied)
		}
	}
	out.Description = mergeDescriptions(descs)
	out.Args = m.mergeArgs(coord, m.withoutContextArgs(coord, local))
	types := make([]*ast.Type, len(fsrc))
	for i, f := range local {
		if f != nil {
			types[i] = f.Def.Type
		}
	}
	merged, allEqual := m.mergeTypeRef(coord, "field", types, false)
	if merged == nil {
		return nil
	}
	out.Type = merged.String()
	if hasExternal {
		m.validateExternal(coord, merged, allEqual, fsrc)
		m.validateExternalArgs(coord, out.Args, fsrc)
	}
	// Apollo prints @inaccessible ahead of @join__field on fields.
	applied2 := m.mergeApplied(applied)
	for _, d := range applied2 {
		if d.Name == "inaccessible" {
			out.Directives = append(out.Directives, d)
		}
	}
	if m.needsJoinField(dest.Name, fsrc, allEqual, ov) || hasContextArgs(fsrc) {
		for i, f := range fsrc {
			if f == nil || (ov.unusedOverridden[i] && ov.label[i] == "") {
				continue
			}
			args := []supergraph.DirArg{{Name: "graph", Value: m.graphs[i]}}
			if f.HasRequires {
				args = append(args, supergraph.DirArg{Name: "requires", Value: supergraph.Str(f.Requires)})
			}
			if f.HasProvides {
				args = append(args, supergraph.DirArg{Name: "provides", Value: supergraph.Str(f.Provides)})
			}
			// Apollo's argument order: override comes before type.
			if f.HasOverride && m.subs[i].Fed2 {
				args = append(args, supergraph.DirArg{Name: "override", Value: supergraph.Str(f.OverrideFrom)})
			}
			if !allEqual {
				args = append(args, supergraph.DirArg{Name: "type", Value: supergraph.Str(f.Def.Type.String())})
			}
			if f.IsExternal() {
				args = append(args, supergraph.DirArg{Name: "external", Value: "true"})
			}
			if ov.usedOverridden[i] {
				args = append(args, supergraph.DirArg{Name: "usedOverridden", Value: "true"})
			}
			if l := ov.label[i]; l != "" {
				args = append(args, supergraph.DirArg{Name: "overrideLabel", Value: supergraph.Str(l)})
			}
			if ca := contextArguments(m.subs[i].Name, f); ca != "" {
				args = append(args, supergraph.DirArg{Name: "contextArguments", Value: ca})
			}
			out.Directives = append(out.Directives, supergraph.Directive{Name: "join__field", Args: args})
		}
	}
	for _, d := range applied2 {
		if d.Name != "inaccessible" {
			out.Directives = append(out.Directives, d)
		}
	}
	return out
}

// needsJoinField mirrors when Apollo writes @join__field: whenever the field
// is not simply resolvable, identically, by every subgraph defining its type.
func (m *merger) needsJoinField(parent string, fsrc []*subgraph.Field, allEqual bool, ov *overrides) bool {
	if !allEqual || len(ov.usedOverridden) > 0 || len(ov.label) > 0 {
		return true
	}
	for i, f := range fsrc {
		if f != nil && !ov.unusedOverridden[i] {
			if f.IsExternal() || f.HasProvides || f.HasRequires {
				return true
			}
		} else if m.subs[i].Types[parent] != nil {
			return true
		}
	}
	return false
}

func (m *merger) validateExternal(coord string, merged *ast.Type, allEqual bool, fsrc []*subgraph.Field) {
	mismatch := false
	for _, f := range fsrc {
		if f == nil || !f.IsExternal() {
			continue
		}
		if !sameType(merged, f.Def.Type) && (allEqual || !m.strictSubtype(merged, f.Def.Type)) {
			mismatch = true
		}
	}
	if mismatch {
		types := make([]*ast.Type, len(fsrc))
		for i, f := range fsrc {
			if f != nil {
				types[i] = f.Def.Type
			}
		}
		m.errs.Add("EXTERNAL_TYPE_MISMATCH", "", coord, fmt.Sprintf("Type of field %q is incompatible across subgraphs (where marked @external): it has %s", coord, m.describeTypes(types)))
	}
}

// validateSharing reports a non-shareable field resolved by several subgraphs.
func (m *merger) validateSharing(coord string, srcs []*subgraph.Type, fsrc []*subgraph.Field, ov *overrides) {
	var resolving, nonShareable []string
	shareable := 0
	for i, f := range fsrc {
		if f == nil || ov.usedOverridden[i] || ov.unusedOverridden[i] || f.IsFullyExternal() {
			continue
		}
		resolving = append(resolving, m.subs[i].Name)
		if m.subs[i].IsShareable(srcs[i], f) {
			shareable++
		} else {
			nonShareable = append(nonShareable, m.subs[i].Name)
		}
	}
	if len(nonShareable) > 0 && (shareable > 0 || len(nonShareable) > 1) {
		which := "all of them"
		if shareable > 0 {
			which = subgraphList(nonShareable)
		}
		m.errs.Add("INVALID_FIELD_SHARING", "", coord, fmt.Sprintf("Non-shareable field %q is resolved from multiple subgraphs: it is resolved from %s and defined as non-shareable in %s", coord, subgraphList(resolving), which))
	}
}

// subgraphList prints `subgraph "a"` or `subgraphs "a" and "b"`.
func subgraphList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return "subgraph " + q[0]
	}
	return "subgraphs " + strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func validLabel(l string) bool {
	if labelPattern.MatchString(l) {
		return true
	}
	p := percentPattern.FindStringSubmatch(l)
	return p != nil
}

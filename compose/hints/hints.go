// Package hints finds what Apollo's composition calls hints: things that
// compose but are probably not what the subgraph authors meant (a field
// whose type differs across subgraphs, an optional argument dropped because
// one subgraph lacks it, an @override left in place). They use Apollo's
// hint codes and never fail composition unless asked to.
package hints

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/shopsupergraph/shop/compose/merge"
	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// Codes lists the hint codes this package reports, so that tests compare
// exactly these against Apollo's.
var Codes = []string{
	"FROM_SUBGRAPH_DOES_NOT_EXIST",
	"INCONSISTENT_ARGUMENT_PRESENCE",
	"INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE",
	"INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
	"INCONSISTENT_DEFAULT_VALUE_PRESENCE",
	"INCONSISTENT_DESCRIPTION",
	"INCONSISTENT_ENTITY",
	"INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
	"INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM",
	"INCONSISTENT_EXECUTABLE_DIRECTIVE_LOCATIONS",
	"INCONSISTENT_EXECUTABLE_DIRECTIVE_PRESENCE",
	"INCONSISTENT_EXECUTABLE_DIRECTIVE_REPEATABLE",
	"INCONSISTENT_INPUT_OBJECT_FIELD",
	"INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD",
	"INCONSISTENT_OBJECT_VALUE_TYPE_FIELD",
	"INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN",
	"INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
	"INCONSISTENT_UNION_MEMBER",
	"MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
	"NO_EXECUTABLE_DIRECTIVE_INTERSECTION",
	"OVERRIDDEN_FIELD_CAN_BE_REMOVED",
	"OVERRIDE_DIRECTIVE_CAN_BE_REMOVED",
	"OVERRIDE_MIGRATION_IN_PROGRESS",
	"UNUSED_ENUM_TYPE",
}

// occurrence is a type or field as one subgraph declares it.
type occurrence[T any] struct {
	sub  *subgraph.Subgraph
	elem T
	// parent is the enclosing type's name, for fields.
	parent string
}

// Collect returns the hints for subgraphs that composed successfully,
// sorted by code then coordinate.
func Collect(subs []*subgraph.Subgraph) diag.List {
	c := &collector{subs: subs}
	types := map[string][]occurrence[*subgraph.Type]{}
	var order []string
	for _, s := range subs {
		for _, name := range s.Order {
			if _, ok := types[name]; !ok {
				order = append(order, name)
			}
			types[name] = append(types[name], occurrence[*subgraph.Type]{s, s.Types[name], ""})
		}
	}
	for _, name := range order {
		occ := types[name]
		c.description(name, descriptionsOf(occ, func(t *subgraph.Type) string { return t.Description }))
		c.directiveArguments(name, appliedOf(occ, func(t *subgraph.Type) ast.DirectiveList { return t.Applied }))
		switch occ[0].elem.Kind {
		case ast.Object, ast.Interface:
			c.composite(name, occ)
		case ast.InputObject:
			c.input(name, occ)
		case ast.Union:
			c.union(name, occ)
		}
	}
	// Enums last: how they are used decides what their differences mean.
	for _, name := range order {
		if occ := types[name]; occ[0].elem.Kind == ast.Enum {
			c.enum(name, occ)
		}
	}
	c.overrides()
	c.executableDirectives()
	c.sharedRuntimeTypes(types, order)
	c.inheritedAccess(types, order)
	sort.SliceStable(c.out, func(i, j int) bool {
		if c.out[i].Code != c.out[j].Code {
			return c.out[i].Code < c.out[j].Code
		}
		return c.out[i].Coordinate < c.out[j].Coordinate
	})
	return c.out
}

type collector struct {
	subs []*subgraph.Subgraph
	out  diag.List
	// inputUse and outputUse record the types that reach the supergraph
	// in input positions (arguments, input fields) and output positions.
	inputUse, outputUse map[string]bool
}

func (c *collector) use(m *map[string]bool, t *ast.Type) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[t.Name()] = true
}

func (c *collector) add(code, coord, msg string) {
	c.out.Add(code, "", coord, msg)
}

func descriptionsOf[T any](occ []occurrence[T], get func(T) string) map[string][]string {
	out := map[string][]string{}
	for _, o := range occ {
		if d := get(o.elem); d != "" {
			out[d] = append(out[d], o.sub.Name)
		}
	}
	return out
}

// description hints when subgraphs give an element different non-empty
// descriptions (the supergraph keeps the most common one).
func (c *collector) description(coord string, descs map[string][]string) {
	if len(descs) < 2 {
		return
	}
	c.add("INCONSISTENT_DESCRIPTION", coord, fmt.Sprintf("Element %q has inconsistent descriptions across subgraphs.", coord))
}

func isRoot(name string) bool {
	return name == "Query" || name == "Mutation" || name == "Subscription"
}

// composite covers object and interface types: entity or not, fields
// missing from some value types, field descriptions, types and arguments.
func (c *collector) composite(name string, occ []occurrence[*subgraph.Type]) {
	// An @interfaceObject is an object in its subgraph but the type is an
	// interface in the supergraph.
	isInterface := false
	for _, o := range occ {
		isInterface = isInterface || o.elem.Kind == ast.Interface
	}
	var entity, value []string
	for _, o := range occ {
		if len(o.elem.Keys) > 0 {
			entity = append(entity, o.sub.Name)
		} else {
			value = append(value, o.sub.Name)
		}
	}
	if !isInterface && len(entity) > 0 && len(value) > 0 {
		c.add("INCONSISTENT_ENTITY", name, fmt.Sprintf("Type %q is declared as an entity (has a @key applied) in some but not all defining subgraphs: it has no @key in %s but has some @key in %s.", name, list(value), list(entity)))
	}
	// Fields of value types (and of interfaces without keys) should be the
	// same everywhere the type is.
	valueType, code, what := len(entity) == 0 && !isRoot(name), "INCONSISTENT_OBJECT_VALUE_TYPE_FIELD", "non-entity object"
	if isInterface {
		valueType, code, what = true, "INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD", "interface"
		for _, o := range occ {
			if o.elem.Kind == ast.Interface && len(o.elem.Keys) > 0 {
				valueType = false
			}
		}
	}
	fields := map[string][]occurrence[*subgraph.Field]{}
	var order []string
	for _, o := range occ {
		for _, f := range o.elem.Fields {
			if _, ok := fields[f.Def.Name]; !ok {
				order = append(order, f.Def.Name)
			}
			fields[f.Def.Name] = append(fields[f.Def.Name], occurrence[*subgraph.Field]{o.sub, f, name})
		}
	}
	for _, fname := range order {
		coord := name + "." + fname
		if valueType && (!isInterface || !fromInterfaceObject(fields[fname])) {
			var missing []string
			for _, o := range occ {
				if o.elem.InterfaceObject || o.elem.Field(fname) != nil || allExternal(o.elem) {
					continue
				}
				missing = append(missing, o.sub.Name)
			}
			if len(missing) > 0 {
				c.add(code, coord, fmt.Sprintf("Field %q of %s type %q is defined in some but not all subgraphs that define %q: it is not defined in %s.", coord, what, name, name, list(missing)))
			}
		}
		c.use(&c.outputUse, fields[fname][0].elem.Def.Type)
		var local []occurrence[*subgraph.Field]
		for _, o := range fields[fname] {
			if !o.elem.IsExternal() {
				local = append(local, o)
			}
		}
		c.description(coord, descriptionsOf(local, func(f *subgraph.Field) string { return f.Def.Description }))
		c.directiveArguments(coord, appliedOf(local, func(f *subgraph.Field) ast.DirectiveList { return f.Applied }))
		if distinct(local, func(f *subgraph.Field) string { return f.Def.Type.String() }) {
			c.add("INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE", coord, fmt.Sprintf("Type of field %q is inconsistent but compatible across subgraphs.", coord))
		}
		c.arguments(coord, local)
	}
}

// fromInterfaceObject reports an interface field some @interfaceObject
// declares: the implementations get it from there.
func fromInterfaceObject(occ []occurrence[*subgraph.Field]) bool {
	for _, o := range occ {
		if t := o.sub.Types[o.parent]; t != nil && t.InterfaceObject {
			return true
		}
	}
	return false
}

// union hints on members that some subgraphs defining the union lack.
func (c *collector) union(name string, occ []occurrence[*subgraph.Type]) {
	seen := map[string]bool{}
	for _, o := range occ {
		for _, m := range o.elem.Members {
			if seen[m] {
				continue
			}
			seen[m] = true
			var missing []string
			for _, other := range occ {
				if !other.elem.HasMember(m) {
					missing = append(missing, other.sub.Name)
				}
			}
			if len(missing) > 0 {
				c.add("INCONSISTENT_UNION_MEMBER", name, fmt.Sprintf("Union type %q includes member type %q in some but not all defining subgraphs: %q is not defined in %s.", name, m, m, list(missing)))
			}
		}
	}
}

func allExternal(t *subgraph.Type) bool {
	for _, f := range t.Fields {
		if !f.IsExternal() {
			return false
		}
	}
	return len(t.Fields) > 0
}

func distinct[T any](occ []occurrence[T], key func(T) string) bool {
	for _, o := range occ[min(1, len(occ)):] {
		if key(o.elem) != key(occ[0].elem) {
			return true
		}
	}
	return false
}

// arguments compares the arguments of one field across the subgraphs that
// resolve it.
func (c *collector) arguments(coord string, occ []occurrence[*subgraph.Field]) {
	if len(occ) == 1 {
		for _, a := range occ[0].elem.Def.Arguments {
			c.use(&c.inputUse, a.Type)
		}
		return
	}
	args := map[string][]occurrence[*ast.ArgumentDefinition]{}
	var order []string
	for _, o := range occ {
		for _, a := range o.elem.Def.Arguments {
			if _, ok := args[a.Name]; !ok {
				order = append(order, a.Name)
			}
			args[a.Name] = append(args[a.Name], occurrence[*ast.ArgumentDefinition]{o.sub, a, ""})
		}
	}
	for _, name := range order {
		acoord := coord + "(" + name + ":)"
		aocc := args[name]
		if len(aocc) < len(occ) {
			c.add("INCONSISTENT_ARGUMENT_PRESENCE", acoord, fmt.Sprintf("Optional argument %q will not be included in the supergraph as it does not appear in all subgraphs.", acoord))
			continue
		}
		c.use(&c.inputUse, aocc[0].elem.Type)
		c.description(acoord, descriptionsOf(aocc, func(a *ast.ArgumentDefinition) string { return a.Description }))
		if distinct(aocc, func(a *ast.ArgumentDefinition) string { return a.Type.String() }) {
			c.add("INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE", acoord, fmt.Sprintf("Type of argument %q is inconsistent but compatible across subgraphs.", acoord))
		}
		if defaultPresence(aocc, func(a *ast.ArgumentDefinition) *ast.Value { return a.DefaultValue }) {
			c.add("INCONSISTENT_DEFAULT_VALUE_PRESENCE", acoord, fmt.Sprintf("Argument %q has a default value in only some subgraphs.", acoord))
		}
	}
}

// defaultPresence reports a default value that appears in only some
// subgraphs (the supergraph then has none); different defaults are an
// error, found by merging.
func defaultPresence[T any](occ []occurrence[T], get func(T) *ast.Value) bool {
	with := 0
	for _, o := range occ {
		if get(o.elem) != nil {
			with++
		}
	}
	return with > 0 && with < len(occ)
}

// input covers input object types: optional fields missing from some
// subgraphs (dropped from the supergraph), descriptions, defaults.
func (c *collector) input(name string, occ []occurrence[*subgraph.Type]) {
	fields := map[string][]occurrence[*subgraph.Field]{}
	var order []string
	for _, o := range occ {
		for _, f := range o.elem.Fields {
			if _, ok := fields[f.Def.Name]; !ok {
				order = append(order, f.Def.Name)
			}
			fields[f.Def.Name] = append(fields[f.Def.Name], occurrence[*subgraph.Field]{o.sub, f, name})
		}
	}
	for _, fname := range order {
		coord := name + "." + fname
		focc := fields[fname]
		if len(focc) < len(occ) {
			c.add("INCONSISTENT_INPUT_OBJECT_FIELD", coord, fmt.Sprintf("Input object field %q will not be added to %q in the supergraph as it does not appear in all subgraphs.", fname, name))
			continue
		}
		c.use(&c.inputUse, focc[0].elem.Def.Type)
		c.description(coord, descriptionsOf(focc, func(f *subgraph.Field) string { return f.Def.Description }))
		if distinct(focc, func(f *subgraph.Field) string { return f.Def.Type.String() }) {
			c.add("INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE", coord, fmt.Sprintf("Type of field %q is inconsistent but compatible across subgraphs.", coord))
		}
		if defaultPresence(focc, func(f *subgraph.Field) *ast.Value { return f.Def.DefaultValue }) {
			c.add("INCONSISTENT_DEFAULT_VALUE_PRESENCE", coord, fmt.Sprintf("Input field %q has a default value in only some subgraphs.", coord))
		}
	}
}

// enum hints on an enum nothing in the supergraph uses, and on values
// missing from some subgraphs: dropped when the enum is an input (merging
// fails when it is both), kept but not returned everywhere when an output.
func (c *collector) enum(name string, occ []occurrence[*subgraph.Type]) {
	values := map[string][]occurrence[*subgraph.EnumValue]{}
	var order []string
	for _, o := range occ {
		for _, v := range o.elem.Values {
			if _, ok := values[v.Def.Name]; !ok {
				order = append(order, v.Def.Name)
			}
			values[v.Def.Name] = append(values[v.Def.Name], occurrence[*subgraph.EnumValue]{o.sub, v, name})
		}
	}
	for _, v := range order {
		c.description(name+"."+v, descriptionsOf(values[v], func(ev *subgraph.EnumValue) string { return ev.Def.Description }))
		c.directiveArguments(name+"."+v, appliedOf(values[v], func(ev *subgraph.EnumValue) ast.DirectiveList { return ev.Applied }))
	}
	if !c.inputUse[name] && !c.outputUse[name] {
		c.add("UNUSED_ENUM_TYPE", name, fmt.Sprintf("Enum type %q is defined but unused. It will be included in the supergraph with all the values appearing in any subgraph (\"as if\" it was only used as an output type).", name))
	}
	if c.inputUse[name] && c.outputUse[name] {
		return
	}
	code := "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM"
	if c.inputUse[name] {
		code = "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM"
	}
	inaccessible := map[string]bool{}
	for _, o := range occ {
		for _, v := range o.elem.Values {
			inaccessible[v.Def.Name] = inaccessible[v.Def.Name] || v.Applied.ForName("inaccessible") != nil
		}
	}
	seen := map[string]bool{}
	for _, o := range occ {
		for _, v := range o.elem.Values {
			// An inaccessible input value stays in the supergraph, hidden,
			// so nothing is lost.
			if seen[v.Def.Name] || (c.inputUse[name] && inaccessible[v.Def.Name]) {
				continue
			}
			seen[v.Def.Name] = true
			for _, other := range occ {
				if other.elem.Value(v.Def.Name) == nil {
					coord := name + "." + v.Def.Name
					c.add(code, coord, fmt.Sprintf("Value %q of enum type %q is not defined in all the subgraphs defining %q.", v.Def.Name, name, name))
					break
				}
			}
		}
	}
}

// validLabel is the form of a progressive @override label Apollo accepts
// (anything else is an error, reported by merging).
var validLabel = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9_\-:./]*|percent\((\d{1,2}(\.\d{1,8})?|100)\))$`)

// overrides hints on @override applications that point nowhere, that can
// be removed, or whose source field can be removed.
func (c *collector) overrides() {
	byName := map[string]*subgraph.Subgraph{}
	for _, s := range c.subs {
		byName[s.Name] = s
	}
	for _, s := range c.subs {
		for _, tn := range s.Order {
			t := s.Types[tn]
			for _, f := range t.Fields {
				if !f.HasOverride || f.OverrideFrom == s.Name {
					continue
				}
				coord := tn + "." + f.Def.Name
				from := byName[f.OverrideFrom]
				if from == nil {
					c.add("FROM_SUBGRAPH_DOES_NOT_EXIST", coord, fmt.Sprintf("Source subgraph %q for field %q on subgraph %q does not exist.", f.OverrideFrom, coord, s.Name))
					continue
				}
				var src *subgraph.Field
				if ft := from.Types[tn]; ft != nil {
					src = ft.Field(f.Def.Name)
				}
				switch {
				case src != nil && src.HasOverride:
					// Both sides override: an error, reported by merging.
				case src == nil:
					c.add("OVERRIDE_DIRECTIVE_CAN_BE_REMOVED", coord, fmt.Sprintf("Field %q on subgraph %q no longer exists in the from subgraph. The @override directive can be removed.", coord, s.Name))
				case src.IsExternal():
					c.add("OVERRIDE_DIRECTIVE_CAN_BE_REMOVED", coord, fmt.Sprintf("Field %q on subgraph %q is not resolved anymore by the from subgraph (it is marked \"@external\" in %q). The @override directive can be removed.", coord, s.Name, from.Name))
				case f.OverrideLabel == "":
					c.add("OVERRIDDEN_FIELD_CAN_BE_REMOVED", coord, fmt.Sprintf("Field %q on subgraph %q is overridden. Consider removing it.", coord, from.Name))
				case validLabel.MatchString(f.OverrideLabel):
					c.add("OVERRIDE_MIGRATION_IN_PROGRESS", coord, fmt.Sprintf("Field %q is currently being migrated with progressive @override. Once the migration is complete, remove the field from subgraph %q.", coord, from.Name))
				}
			}
		}
	}
}

// list prints subgraph names as Apollo does: "a", "b" and "c".
func list(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return "subgraph " + q[0]
	}
	return "subgraphs " + strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// executableDirectives hints on custom executable directives the
// supergraph drops (missing from a subgraph, or no location in common) or
// weakens (not repeatable everywhere, fewer locations).
func (c *collector) executableDirectives() {
	var names []string
	for _, s := range c.subs {
		for name, d := range s.Directives {
			if len(merge.ExecutableLocations(d)) > 0 && !slices.Contains(names, name) && !slices.Contains(s.Composed, name) {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		var defs []*ast.DirectiveDefinition
		for _, s := range c.subs {
			if d := s.Directives[name]; d != nil && len(merge.ExecutableLocations(d)) > 0 {
				defs = append(defs, d)
			}
		}
		coord := "@" + name
		if len(defs) != len(c.subs) {
			c.add("INCONSISTENT_EXECUTABLE_DIRECTIVE_PRESENCE", coord, fmt.Sprintf("Executable directive %q will not be part of the supergraph as it does not appear in all subgraphs.", coord))
			continue
		}
		common := merge.ExecutableLocations(defs[0])
		sameLocations, sameRepeatable := true, true
		for _, d := range defs[1:] {
			locs := merge.ExecutableLocations(d)
			sameLocations = sameLocations && slices.Equal(locs, merge.ExecutableLocations(defs[0]))
			sameRepeatable = sameRepeatable && d.IsRepeatable == defs[0].IsRepeatable
			common = slices.DeleteFunc(common, func(l ast.DirectiveLocation) bool { return !slices.Contains(locs, l) })
		}
		if len(common) == 0 {
			c.add("NO_EXECUTABLE_DIRECTIVE_INTERSECTION", coord, fmt.Sprintf("Executable directive %q has no location that is common to all subgraphs: it will not appear in the supergraph.", coord))
			continue
		}
		if !sameRepeatable {
			c.add("INCONSISTENT_EXECUTABLE_DIRECTIVE_REPEATABLE", coord, fmt.Sprintf("Executable directive %q will not be marked repeatable in the supergraph as it is inconsistently marked repeatable in subgraphs.", coord))
		}
		if !sameLocations {
			c.add("INCONSISTENT_EXECUTABLE_DIRECTIVE_LOCATIONS", coord, fmt.Sprintf("Executable directive %q has inconsistent locations across subgraphs and will use the intersection of all subgraphs in the supergraph.", coord))
		}
	}
}

// sharedRuntimeTypes hints on a field several subgraphs resolve that
// returns an interface or a union for which they know different object
// types: each must only ever return the types they have in common (none in
// common is SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES, an error).
func (c *collector) sharedRuntimeTypes(types map[string][]occurrence[*subgraph.Type], order []string) {
	for _, tn := range order {
		for _, f := range fieldsOf(types[tn]) {
			var sets [][]string
			for _, o := range types[tn] {
				if o.elem.Kind != ast.Object {
					continue
				}
				of := o.elem.Field(f)
				if of == nil || of.IsExternal() {
					continue
				}
				rt := o.sub.Types[of.Def.Type.Name()]
				if rt == nil || (rt.Kind != ast.Interface && rt.Kind != ast.Union) {
					break
				}
				sets = append(sets, runtimeTypes(o.sub, rt))
			}
			if len(sets) < 2 {
				continue
			}
			common := slices.Clone(sets[0])
			differ := false
			for _, set := range sets[1:] {
				differ = differ || !slices.Equal(set, sets[0])
				common = slices.DeleteFunc(common, func(t string) bool { return !slices.Contains(set, t) })
			}
			if differ && len(common) > 0 {
				coord := tn + "." + f
				c.add("INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN", coord, fmt.Sprintf("Shared field %q has different sets of possible runtime types across subgraphs; make sure every subgraph only resolves it to objects of the types they have in common: %s.", coord, strings.Join(common, ", ")))
			}
		}
	}
}

func fieldsOf(occ []occurrence[*subgraph.Type]) []string {
	var out []string
	for _, o := range occ {
		for _, f := range o.elem.Fields {
			if !slices.Contains(out, f.Def.Name) {
				out = append(out, f.Def.Name)
			}
		}
	}
	return out
}

// runtimeTypes lists, sorted, the object types a subgraph may return for
// an interface or union.
func runtimeTypes(s *subgraph.Subgraph, rt *subgraph.Type) []string {
	var out []string
	if rt.Kind == ast.Union {
		out = slices.Clone(rt.Members)
	} else {
		for _, n := range s.Order {
			if t := s.Types[n]; t.Kind == ast.Object && t.Implements(rt.Name) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

func appliedOf[T any](occ []occurrence[T], get func(T) ast.DirectiveList) []occurrence[ast.DirectiveList] {
	out := make([]occurrence[ast.DirectiveList], len(occ))
	for i, o := range occ {
		out[i] = occurrence[ast.DirectiveList]{o.sub, get(o.elem), o.parent}
	}
	return out
}

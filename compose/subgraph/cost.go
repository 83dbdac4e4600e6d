package subgraph

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// CostDirectives are the demand-control directives (federation v2.9+):
// @cost gives an element a weight, @listSize tells how long a list field's
// result is expected to be. Routers use both to estimate an operation's cost.
var CostDirectives = []string{"cost", "listSize"}

// costLocations are where each demand-control directive may be applied.
var costLocations = map[string]map[ast.DirectiveLocation]bool{
	"cost": {
		ast.LocationArgumentDefinition: true, ast.LocationEnum: true, ast.LocationFieldDefinition: true,
		ast.LocationInputFieldDefinition: true, ast.LocationObject: true, ast.LocationScalar: true,
	},
	"listSize": {ast.LocationFieldDefinition: true},
}

// costArgKinds are the arguments each directive accepts and the value kind
// each must have; listOfStrings marks [String!].
const listOfStrings = ast.ValueKind(-1)

var costArgKinds = map[string]map[string]ast.ValueKind{
	"cost": {"weight": ast.IntValue},
	"listSize": {
		"assumedSize": ast.IntValue, "slicingArguments": listOfStrings, "sizedFields": listOfStrings,
		"requireOneSlicingArgument": ast.BooleanValue,
	},
}

// keepCost validates the shape of one @cost or @listSize application and
// keeps it under its canonical name, remembering the name the subgraph
// applied it under so that the supergraph can keep it.
func (b *builder) keepCost(list *ast.DirectiveList, dir *ast.Directive, canon string, loc ast.DirectiveLocation) {
	sub := b.s.Name
	if !costLocations[canon][loc] {
		b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" may not be used on %s.", sub, dir.Name, loc))
		return
	}
	kinds := costArgKinds[canon]
	for i, a := range dir.Arguments {
		want, known := kinds[a.Name]
		switch {
		case !known:
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Unknown argument %q on directive \"@%s\".", sub, a.Name, dir.Name))
			return
		case dir.Arguments[:i].ForName(a.Name) != nil:
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] There can be only one argument named %q.", sub, a.Name))
			return
		case !costValueOK(a.Value, want):
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Argument %q of \"@%s\" has an invalid value %s.", sub, a.Name, dir.Name, a.Value.String()))
			return
		}
	}
	if canon == "cost" {
		if a := dir.Arguments.ForName("weight"); a == nil || a.Value.Kind == ast.NullValue {
			b.errs.Add("INVALID_GRAPHQL", sub, "@"+dir.Name, fmt.Sprintf("[%s] Directive \"@%s\" argument \"weight\" of type \"Int!\" is required, but it was not provided.", sub, dir.Name))
			return
		}
	}
	if _, seen := b.s.Cost[canon]; !seen {
		b.s.Cost[canon] = dir.Name
	}
	*list = append(*list, &ast.Directive{Name: canon, Arguments: dir.Arguments})
}

// costValueOK reports whether v is a literal of the wanted kind (or null).
func costValueOK(v *ast.Value, want ast.ValueKind) bool {
	if v == nil {
		return false
	}
	if v.Kind == ast.NullValue {
		return true
	}
	if want != listOfStrings {
		return v.Kind == want
	}
	if v.Kind != ast.ListValue {
		return false
	}
	for _, c := range v.Children {
		if c.Value == nil || (c.Value.Kind != ast.StringValue && c.Value.Kind != ast.BlockValue) {
			return false
		}
	}
	return true
}

// checkCost applies Apollo's rules for the demand-control directives, which
// need the whole schema: @cost may not sit on interface fields (the router
// costs the concrete types), and @listSize must describe a list, with a
// non-negative assumed size, Int slicing arguments of the field and list
// sized fields of the returned type.
func (b *builder) checkCost() {
	sub := b.s.Name
	for _, name := range b.s.Order {
		t := b.s.Types[name]
		if t.Kind != ast.Object && t.Kind != ast.Interface {
			continue
		}
		for _, f := range t.Fields {
			coord := name + "." + f.Def.Name
			if t.Kind == ast.Interface && f.Applied.ForName("cost") != nil {
				b.errs.Add("COST_APPLIED_TO_INTERFACE_FIELD", sub, coord, fmt.Sprintf("[%s] @cost cannot be applied to interface %q", sub, coord))
			}
			if ls := f.Applied.ForName("listSize"); ls != nil {
				b.checkListSize(coord, f.Def, ls)
			}
		}
	}
}

func (b *builder) checkListSize(coord string, fd *ast.FieldDefinition, ls *ast.Directive) {
	sub := b.s.Name
	sized := stringsArg(ls, "sizedFields")
	if len(sized) == 0 && fd.Type.Elem == nil {
		b.errs.Add("LIST_SIZE_APPLIED_TO_NON_LIST", sub, coord, fmt.Sprintf("[%s] %q is not a list", sub, coord))
	}
	if a := ls.Arguments.ForName("assumedSize"); a != nil && a.Value.Kind == ast.IntValue && len(a.Value.Raw) > 0 && a.Value.Raw[0] == '-' {
		b.errs.Add("LIST_SIZE_INVALID_ASSUMED_SIZE", sub, coord, fmt.Sprintf("[%s] Assumed size of %q cannot be negative", sub, coord))
	}
	for _, s := range stringsArg(ls, "slicingArguments") {
		arg := fd.Arguments.ForName(s)
		switch {
		case arg == nil:
			b.errs.Add("LIST_SIZE_INVALID_SLICING_ARGUMENT", sub, coord, fmt.Sprintf("[%s] Slicing argument %q is not an argument of %q", sub, s, coord))
		case arg.Type.Elem != nil || arg.Type.NamedType != "Int":
			b.errs.Add("LIST_SIZE_INVALID_SLICING_ARGUMENT", sub, coord, fmt.Sprintf("[%s] Slicing argument \"%s(%s:)\" must be Int or Int!", sub, coord, s))
		}
	}
	if len(sized) == 0 {
		return
	}
	base := fd.Type
	for base.Elem != nil {
		base = base.Elem
	}
	rt := b.s.Types[base.NamedType]
	if rt == nil || (rt.Kind != ast.Object && rt.Kind != ast.Interface && rt.Kind != ast.Union) {
		b.errs.Add("LIST_SIZE_INVALID_SIZED_FIELD", sub, coord, fmt.Sprintf("[%s] Sized fields cannot be used because %q is not a composite type", sub, fd.Type.String()))
		return
	}
	for _, s := range sized {
		sf := rt.Field(s)
		switch {
		case sf == nil:
			b.errs.Add("LIST_SIZE_INVALID_SIZED_FIELD", sub, coord, fmt.Sprintf("[%s] Sized field %q is not a field on type %q", sub, s, rt.Name))
		case sf.Def.Type.Elem == nil:
			b.errs.Add("LIST_SIZE_APPLIED_TO_NON_LIST", sub, coord, fmt.Sprintf("[%s] Sized field \"%s.%s\" is not a list", sub, rt.Name, s))
		}
	}
}

// stringsArg reads a [String!] argument; keepCost validated its shape.
func stringsArg(d *ast.Directive, name string) []string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.ListValue {
		return nil
	}
	out := make([]string, 0, len(a.Value.Children))
	for _, c := range a.Value.Children {
		out = append(out, c.Value.Raw)
	}
	return out
}
